"""Personal data: detection, fresh generation and keyed pseudonyms.

:func:`detect_pii` finds the columns of a table that hold personal data or
identifiers, from the column names and from the values themselves (so that
an obfuscated ``col_17`` of e-mail addresses is found). A generator does not
model such a column: :class:`PersonalColumn` generates fresh values in the
same format on output (with Faker when installed, the ``pii`` extra; seeded,
offline) or pseudonymises it with a keyed hash. No original value of such a
column appears in the output, and no table of its values is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import re
import string
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api.types import (
    is_datetime64_any_dtype,
    is_float_dtype,
    is_integer_dtype,
    is_numeric_dtype,
)

__all__ = ["PII_KINDS", "PersonalColumn", "detect_pii"]

PII_KINDS = (
    "credit_card",
    "date_of_birth",
    "email",
    "first_name",
    "iban",
    "identifier",
    "ip_address",
    "last_name",
    "national_id",
    "person_name",
    "phone",
    "postcode",
    "street_address",
    "url",
)

# Share of the sampled values that must match a value rule.
_MATCH_SHARE = 0.9
# A string column is a key when this share of its observed values is unique.
_KEY_SHARE = 0.95
_SAMPLE = 2000

_NAME_RULES = [  # (kind, tokens of a column name); the first that matches wins
    ("identifier", {"id", "uuid", "guid", "identifier", "key", "case",
                    "casenumber", "account", "accountnumber", "record", "username",
                    "login", "user", "licence", "license", "plate"}),
    ("email", {"email", "mail", "emailaddress"}),
    ("phone", {"phone", "telephone", "mobile", "tel", "cell", "fax", "msisdn"}),
    ("credit_card", {"card", "creditcard", "cc", "pan", "ccnumber"}),
    ("iban", {"iban", "bban"}),
    ("ip_address", {"ip", "ipaddress", "ipv4", "ipv6"}),
    ("url", {"url", "website", "homepage", "link", "uri"}),
    ("national_id", {"ssn", "nin", "passport", "nationalid", "socialsecurity",
                     "taxid", "tin", "nino"}),
    ("date_of_birth", {"dob", "birth", "birthday", "birthdate", "dateofbirth"}),
    ("first_name", {"first", "firstname", "givenname", "forename"}),
    ("last_name", {"last", "lastname", "surname", "familyname"}),
    ("person_name", {"name", "fullname", "personname"}),
    ("postcode", {"zip", "zipcode", "postcode", "postal", "postalcode"}),
    ("street_address", {"address", "street", "addr"}),
]

_EMAIL = re.compile(r"^[\w.+'-]+@[\w-]+(\.[\w-]+)+$")
_URL = re.compile(r"^(https?://|www\.)[^\s]+$", re.I)
_SSN = re.compile(r"^\d{3}-\d{2}-\d{4}$|^[A-Z]{2}\d{6}[A-D]$")
_PHONE = re.compile(r"^\+?[\d\s().x-]{7,25}$")
_ZIP = re.compile(r"^\d{5}(-\d{4})?$|^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$")
_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$")
_ADDRESS = re.compile(r"^\d{1,6}[A-Za-z]? [A-Za-z][\w.' -]+$")
_DATE = re.compile(
    r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$|^\d{1,2}/\d{1,2}/\d{2,4}$"
)
_NAME_TOKEN = re.compile(r"^[^\W\d_][^\W\d_'.-]*(['.-][^\W\d_]+)*\.?$")


def _name_tokens(name):
    text = re.sub(r"([a-z])([A-Z])", r"\1_\2", str(name)).lower()
    tokens = [t for t in re.split(r"[^a-z0-9]+", text) if t]
    return set(tokens) | {"".join(tokens)}


def _luhn(digits):
    total, parity = 0, len(digits) % 2
    for i, ch in enumerate(digits):
        d = ord(ch) - 48
        if i % 2 == parity:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _is_card(v):
    digits = re.sub(r"[ -]", "", v)
    return digits.isdigit() and 13 <= len(digits) <= 19 and _luhn(digits)


def _is_iban(v):
    s = v.replace(" ", "").upper()
    if not _IBAN.match(s):
        return False
    moved = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _is_ip(v):
    try:
        ipaddress.ip_address(v)
        return True
    except ValueError:
        return False


def _is_phone(v):
    if not _PHONE.match(v) or _DATE.match(v):
        return False
    digits = sum(c.isdigit() for c in v)
    return 7 <= digits <= 15 and (not v.isdigit() or v.startswith("+"))


_VALUE_RULES = [  # checked in this order; the first that matches wins
    ("email", lambda v: bool(_EMAIL.match(v))),
    ("url", lambda v: bool(_URL.match(v))),
    ("ip_address", _is_ip),
    ("iban", _is_iban),
    ("credit_card", _is_card),
    ("national_id", lambda v: bool(_SSN.match(v))),
    ("postcode", lambda v: bool(_ZIP.match(v))),
    ("phone", _is_phone),
    ("street_address", lambda v: bool(_ADDRESS.match(v)) and " " in v.strip()),
]


_NAME_SETS = None


def _name_sets():
    """First and last names known to Faker (empty sets without Faker)."""
    global _NAME_SETS
    if _NAME_SETS is None:
        first, last = set(), set()
        try:
            import importlib

            for loc in ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT",
                        "nl_NL", "pt_BR"):
                mod = importlib.import_module(f"faker.providers.person.{loc}")
                p = mod.Provider
                for attr, target in (("first_names", first), ("last_names", last),
                                     ("first_names_male", first),
                                     ("first_names_female", first)):
                    names = getattr(p, attr, ())
                    target.update(n.lower() for n in names)
        except ImportError:
            pass
        _NAME_SETS = (first, last)
    return _NAME_SETS


def _name_kind(values):
    """``first_name``, ``last_name`` or ``person_name`` for name-like values."""
    tokens = [v.split() for v in values]
    if not all(1 <= len(t) <= 4 for t in tokens):
        return None
    if np.mean([all(_NAME_TOKEN.match(w) for w in t) for t in tokens]) < _MATCH_SHARE:
        return None
    first, last = _name_sets()
    words = [w.lower().strip(".") for t in tokens for w in t]
    known = first | last
    if known:
        share = np.mean([w in known for w in words])
        if share < 0.5:
            return None
    else:  # without Faker: capitalised words of varied values
        if np.mean([w[:1].isupper() for t in tokens for w in t]) < _MATCH_SHARE:
            return None
    if np.mean([len(t) >= 2 for t in tokens]) >= 0.5:
        return "person_name"
    if known:
        in_first = np.mean([w in first for w in words])
        in_last = np.mean([w in last for w in words])
        return "first_name" if in_first >= in_last else "last_name"
    return "person_name"


def _share(rule, counts, n):
    """Share of ``n`` values (``counts``: each distinct one's count) that pass."""
    return sum(c for v, c in counts.items() if rule(v)) / n


def _value_kind(s):
    """The kind of personal data the values of a string column hold, or None."""
    observed = s.dropna()
    if not len(observed):
        return None
    values = observed.astype(str).str.strip()
    n_unique = values.nunique()
    sample = values.sample(min(_SAMPLE, len(values)), random_state=0).tolist()
    # each rule is checked once per distinct value (a column of a few
    # categories repeats them thousands of times), weighted by its count
    counts = Counter(sample)
    if _share(lambda v: bool(_DATE.match(v)), counts, len(sample)) >= _MATCH_SHARE:
        return None  # dates (a date of birth is found by its name)
    for kind, rule in _VALUE_RULES:
        if _share(rule, counts, len(sample)) >= _MATCH_SHARE:
            if kind in ("postcode", "phone", "street_address") and n_unique < 20:
                continue
            return kind
    varied = n_unique >= 20 and n_unique >= 0.05 * len(values)
    if varied:
        kind = _name_kind(sample)
        if kind is not None:
            return kind
    if len(values) >= 20 and n_unique >= _KEY_SHARE * len(values):
        return "identifier"
    return None


def _is_text(s):
    return not is_numeric_dtype(s.dtype) and not is_datetime64_any_dtype(s.dtype) \
        and not isinstance(s.dtype, pd.CategoricalDtype) or (
            isinstance(s.dtype, pd.CategoricalDtype)
            and not is_numeric_dtype(s.dtype.categories.dtype)
        )


def _by_name(name, s):
    """Kind suggested by the column name, confirmed by the values, or None."""
    tokens = _name_tokens(name)
    observed = s.dropna()
    n = len(observed)
    if not n:
        return None
    unique_share = observed.nunique() / n
    for kind, words in _NAME_RULES:
        if not tokens & words:
            continue
        if kind == "date_of_birth":
            dated = is_datetime64_any_dtype(s.dtype) or (
                _is_text(s) and np.mean([
                    bool(_DATE.match(str(v))) for v in observed.head(200)
                ]) >= _MATCH_SHARE
            )
            return kind if dated else None
        if is_float_dtype(s.dtype):
            return None  # measurements, not keys
        if kind == "identifier":
            return kind if unique_share >= 0.5 else None
        if is_integer_dtype(s.dtype) and kind not in ("phone", "national_id",
                                                      "credit_card", "postcode"):
            continue
        if observed.nunique() >= 20 and unique_share >= 0.05:
            return kind
    return None


def detect_pii(X, *, names=True, values=True):
    """Columns of ``X`` that hold personal data or identifiers.

    Parameters
    ----------
    X : DataFrame
        The table.
    names : bool, default=True
        Use the column names (``email``, ``dob``, ``first_name``, ``ssn``,
        ``case_number``, ...), each confirmed by the values (a ``telephone``
        column of yes/no is not a phone number).
    values : bool, default=True
        Use the values themselves: e-mail addresses, URLs, IP addresses,
        IBANs (checksum), card numbers (Luhn), national-ID patterns (US SSN,
        UK NINo), postcodes, phone numbers, street addresses, person names
        (known first and last names, when Faker is installed), and unique or
        near-unique text keys. Dates are not personal by their values.

    Returns
    -------
    found : dict
        ``{column: kind}``, ``kind`` one of :data:`PII_KINDS`.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.preprocessing import detect_pii
    >>> df = pd.DataFrame({
    ...     "col_1": [f"user{i}@example.org" for i in range(30)],
    ...     "age": list(range(20, 50)),
    ...     "plan": ["a", "b", "c"] * 10,
    ... })
    >>> detect_pii(df)
    {'col_1': 'email'}
    """
    if not isinstance(X, pd.DataFrame):
        X = pd.DataFrame(X)
    found = {}
    for name in X.columns:
        s = X.iloc[:, list(X.columns).index(name)] if X.columns.has_duplicates \
            else X[name]
        try:
            kind = _by_name(name, s) if names else None
            if kind is None and values and _is_text(s):
                kind = _value_kind(s)
        except TypeError:  # unhashable cells: refused by the schema, naming it
            continue
        if kind is not None:
            found[name] = kind
    return found


# ------------------------------------------------------------------ output
_FAKER = {
    "email": "email",
    "phone": "phone_number",
    "credit_card": "credit_card_number",
    "iban": "iban",
    "url": "url",
    "national_id": "ssn",
    "person_name": "name",
    "first_name": "first_name",
    "last_name": "last_name",
    "postcode": "postcode",
    "street_address": "street_address",
}


_NAMES = ("person_name", "first_name", "last_name")


def _pattern(v):
    """Character classes of a value: d digit, u upper, l lower, others kept."""
    out = []
    for c in v:
        if c.isdigit():
            out.append("d")
        elif c.isalpha():
            out.append("u" if c.isupper() else "l")
        else:
            out.append("\\" + c)
    return "".join(out)


def _constants(pattern, values):
    """The pattern with the characters that every value of it shares kept
    literally (the ``C`` of ``C123456``; nothing of one value alone)."""
    same = [v for v in values if _pattern(v) == pattern]
    if len(same) < 2:
        return pattern
    chars = np.array([list(v) for v in same])
    shared = (chars == chars[0]).all(axis=0)
    out, i, k = [], 0, 0
    while i < len(pattern):
        if pattern[i] == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        else:
            keep = shared[k] and pattern[i] != "d"  # digits stay free
            out.append("\\" + chars[0][k] if keep else pattern[i])
            i += 1
        k += 1
    return "".join(out)


def _from_pattern(pattern, rng):
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i + 1])
            i += 2
            continue
        pool = {"d": string.digits, "u": string.ascii_uppercase,
                "l": string.ascii_lowercase}[c]
        out.append(pool[rng.randint(len(pool))])
        i += 1
    return "".join(out)


def _splice(a, b, rng):
    """A new word from the head of ``a`` and the tail of ``b`` (names that
    Faker's lists share with the data are replaced by such blends)."""
    if len(a) < 2 or len(b) < 2:
        return a + b
    i = rng.randint(1, len(a))
    j = rng.randint(1, len(b))
    return a[:i] + b[j:]


def _case_of(values):
    if all(v == v.lower() for v in values):
        return "lower"
    if all(v == v.upper() for v in values):
        return "upper"
    return None


def keyed_hash(key, value, length=16):
    """HMAC-SHA256 of ``str(value)`` under ``key``, as ``length`` hex digits."""
    mac = hmac.new(str(key).encode(), str(value).encode(), hashlib.sha256)
    return mac.hexdigest()[:length]


@dataclass
class PersonalColumn:
    """How one personal column is generated on output.

    Learnt at ``fit`` from the column without keeping its values: the share
    of missing cells (their pattern is modelled by the generator, as a
    one-value column), the character patterns of the values (``"ddduu"``),
    their letter case, whether they are unique, and a filter of keyed 64-bit
    hashes (random key per fit) that rejects a generated value equal to a
    real one. Whoever holds the fitted object and the candidate value can
    test it against that filter; no value can be read back from it.

    Parameters
    ----------
    name : hashable
    kind : str
        One of :data:`PII_KINDS`.
    method : {"fake", "hash"}
        Fresh values, or pseudonyms ``HMAC(key, value)`` (then the column is
        modelled, as a categorical column of pseudonyms).
    dtype : dtype
        Dtype of the column in ``fit``.
    """

    name: object
    kind: str
    method: str = "fake"
    dtype: object = object
    patterns: tuple = ()
    weights: tuple = ()
    case: str | None = None
    unique: bool = False
    locale: str = "en_US"
    key: str | None = field(default=None, repr=False)
    date_range: tuple = ()
    _salt: bytes = field(default=b"", repr=False)
    _filter: frozenset = field(default=frozenset(), repr=False)

    @classmethod
    def learn(cls, name, s, kind, method="fake", locale="en_US", key=None):
        observed = s.dropna()
        if method == "hash" and key is None:
            raise ValueError(
                f"Column {name!r} is to be pseudonymised with a keyed hash: give "
                "the key, schema={'pii': {'key': '...'}} (keep it secret)."
            )
        spec = cls(name, kind, method, s.dtype, locale=locale, key=key)
        if method == "hash":
            return spec
        if kind == "date_of_birth" or is_datetime64_any_dtype(s.dtype):
            dates = pd.to_datetime(observed, errors="coerce").dropna()
            spec.date_range = (int(dates.min().year), int(dates.max().year) + 1)
        text = observed.astype(str).tolist()
        pats = pd.Series([_pattern(v) for v in text]).value_counts()
        pats = pats[pats.index.str.len() <= 200].head(20)
        spec.patterns = tuple(_constants(p, text) for p in pats.index)
        spec.weights = tuple((pats / pats.sum()).tolist())
        spec.case = _case_of(text[:1000]) if text else None
        spec.unique = bool(len(text) and observed.nunique() == len(text))
        spec._salt = os.urandom(16)
        spec._filter = frozenset(spec._hash64(v) for v in text)
        return spec

    def _hash64(self, value):
        return hashlib.blake2b(str(value).encode(), key=self._salt,
                               digest_size=8).digest()

    def pseudonyms(self, s):
        """The pseudonyms of the values of ``s`` (missing stays missing)."""
        out = s.astype(object).copy()
        mask = s.notna().to_numpy()
        out[mask] = [keyed_hash(self.key, v) for v in s[mask]]
        return out

    def _one(self, fake, rng, longer=False):
        if self.date_range:
            lo = pd.Timestamp(year=self.date_range[0], month=1, day=1)
            hi = pd.Timestamp(year=self.date_range[1], month=1, day=1)
            days = int((hi - lo).days)
            return lo + pd.Timedelta(days=int(rng.randint(days)))
        if fake is not None and self.kind == "person_name":
            v = f"{fake.first_name()} {fake.last_name()}"
        elif fake is not None and self.kind in _FAKER:
            v = getattr(fake, _FAKER[self.kind])()
        elif self.patterns:
            p = self.patterns[rng.choice(len(self.patterns), p=self.weights)]
            if longer:  # the short formats are used up: one character more
                p = max(self.patterns, key=len)
                p = ("d" if p[:1] == "d" else "u" if p[:1] == "u" else "l") + p
            v = _from_pattern(p, rng)
        else:
            v = "".join(rng.choice(list(string.ascii_lowercase), 10))
        if self.case == "lower":
            v = v.lower()
        elif self.case == "upper":
            v = v.upper()
        return v

    def generate(self, n, rng):
        """``n`` fresh values, none equal to a value seen in ``fit``."""
        fake = None
        if self.kind in _FAKER and not self.date_range:
            try:
                from faker import Faker
            except ImportError:
                fake = None
            else:
                fake = Faker(self.locale)
                fake.seed_instance(int(rng.randint(2**31 - 1)))
        out, seen = [], set()
        for _ in range(n):
            for attempt in range(60):
                v = self._one(fake if attempt < 40 else None, rng,
                              longer=attempt >= 20 and self.kind not in _NAMES)
                if 10 <= attempt < 40 and self.kind in _NAMES and isinstance(v, str):
                    v = _splice(v, self._one(fake, rng), rng)
                if is_integer_dtype(self.dtype) and str(v).isdigit():
                    v = str(int(v))  # the number it will be written as
                key = str(v.date()) if isinstance(v, pd.Timestamp) else v
                if self._hash64(key) in self._filter:
                    continue
                if self.unique and v in seen:
                    continue
                break
            else:
                raise ValueError(
                    f"Could not generate a fresh value for personal column "
                    f"{self.name!r} that differs from the real ones (the format "
                    "leaves too few values); pseudonymise it instead "
                    "(method 'hash')."
                )
            seen.add(v)
            out.append(v)
        return out

    def fill(self, s, rng):
        """Replace the placeholders of ``s`` by fresh values, in the fit dtype."""
        mask = s.notna().to_numpy()
        values = pd.Series([np.nan] * len(s), dtype=object, index=s.index)
        values[mask] = self.generate(int(mask.sum()), rng)
        if self.date_range or is_datetime64_any_dtype(self.dtype):
            out = pd.to_datetime(values)
            if is_datetime64_any_dtype(self.dtype):
                return out.astype(self.dtype)
            return out.dt.strftime("%Y-%m-%d").where(mask, np.nan).astype(
                self.dtype
            )
        if is_integer_dtype(self.dtype):
            try:
                ints = pd.to_numeric(values)
                return ints.astype(self.dtype) if mask.all() else ints
            except (ValueError, TypeError):
                return values
        try:
            return values.astype(self.dtype)
        except (ValueError, TypeError):
            return values

    def describe(self):
        return {"kind": self.kind, "method": self.method}
