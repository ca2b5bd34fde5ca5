from ccus_kg.ingest.language import detect, han_ratio


def test_detect_by_script():
    assert detect("中国工信部 (MIIT) 工业领域碳达峰实施方案") == "zh"
    assert detect("China MIIT Action Plan for Industrial Carbon Peaking") == "en"
    assert detect("第四章：保障措施") == "zh"
    assert detect("Section 3.2") == "en"
    assert detect("2024-01-15") == "en"
    assert detect("", default="zh") == "zh"
    assert han_ratio("ab中") == 1 / 3
