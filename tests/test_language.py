from ccus_kg.ingest.language import detect, han_ratio


def test_detect_by_script():
    assert detect("中国工信部 (MIIT) 工业领域碳达峰实施方案") == "zh"
    assert detect("China MIIT Action Plan for Industrial Carbon Peaking") == "en"
    assert detect("第四章：保障措施") == "zh"
    assert detect("Section 3.2") == "en"
    assert detect("2024-01-15") == "en"
    assert detect("", default="zh") == "zh"
    assert han_ratio("ab中") == 1 / 3


def test_other_scripts_get_their_own_tag_or_und():
    assert detect("탄소 포집 및 저장에 관한 법률") == "ko"
    assert detect("Федеральный закон о парниковых газах") == "ru"
    assert detect("Закон України про енергетику") == "uk"
    assert detect("二酸化炭素の回収・貯留に関する法律") == "ja"
    assert detect("Νόμος για την αποθήκευση") == "el"
    assert detect("ጤና ይስጥልኝ") == "und"  # Ethiopic: no rule, undetermined
    assert detect("x" * 10 + "中" * 5 + "ж" * 10) == "zh"
