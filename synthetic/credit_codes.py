"""18-character unified social credit codes (GB 32100-2015) with valid check digits."""

import numpy as np

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CODE_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2])
_CHAR_VALUE = {c: i for i, c in enumerate(CHARSET)}


def credit_codes(region_codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One distinct code per region code: `91` (enterprise), region, organisation code, check.

    The organisation code (GB 11714) carries its own check digit, as real codes do.
    """
    n = len(region_codes)
    serials = rng.choice(90_000_000, size=n, replace=False) + 10_000_000
    body = (serials[:, None] // 10 ** np.arange(7, -1, -1)) % 10
    org_check = (11 - (body @ _ORG_WEIGHTS) % 11) % 11
    org_char = np.where(org_check == 10, "X", org_check.astype(str))
    org_value = np.where(org_check == 10, _CHAR_VALUE["X"], org_check)

    region_digits = np.array([[int(c) for c in code] for code in region_codes]).reshape(n, 6)
    values = np.column_stack([np.full(n, 9), np.full(n, 1), region_digits, body, org_value])
    check = (31 - (values @ _CODE_WEIGHTS) % 31) % 31
    check_char = np.array(list(CHARSET))[check]
    serial_text = np.char.zfill(serials.astype(str), 8)
    prefix = np.char.add("91", np.asarray(region_codes, dtype=str))
    return np.char.add(np.char.add(np.char.add(prefix, serial_text), org_char), check_char)


def is_valid_credit_code(code: str) -> bool:
    if len(code) != 18 or any(c not in _CHAR_VALUE for c in code):
        return False
    values = np.array([_CHAR_VALUE[c] for c in code[:17]])
    return CHARSET[(31 - int(values @ _CODE_WEIGHTS) % 31) % 31] == code[17]
