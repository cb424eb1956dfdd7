"""A labelled table of personal data, for testing detectors (needs Faker)."""

import numpy as np
import pandas as pd

from ..utils._dependencies import import_optional

__all__ = ["make_personal_data"]


def make_personal_data(n_samples=300, *, random_state=0):
    """A table of 20 kinds of personal data and 5 ordinary columns, with truth.

    Half of the personal columns have uninformative names (``col_1`` ...
    ``col_10``), so that a detector must read the values; ``col_11`` and
    ``col_12`` are ordinary columns under such names. The values are made by
    Faker (seeded, offline; locales ``en_US`` and ``en_GB``).

    Parameters
    ----------
    n_samples : int, default=300
        Number of rows.
    random_state : int, default=0
        Seed of Faker and of the ordinary columns.

    Returns
    -------
    X : DataFrame of shape (n_samples, 25)
    truth : dict
        ``{column: kind}`` for the 20 personal columns, with the kinds that
        :func:`sksynth.preprocessing.detect_pii` reports.

    Examples
    --------
    >>> from sksynth.datasets import make_personal_data
    >>> X, truth = make_personal_data(5)
    >>> X.shape, len(truth), truth["col_6"]
    ((5, 25), 20, 'credit_card')
    """
    faker = import_optional("faker", "pii", purpose="make_personal_data")
    fake = faker.Faker("en_US")
    fake.seed_instance(random_state)
    uk = faker.Faker("en_GB")
    uk.seed_instance(random_state)
    rng = np.random.RandomState(random_state)
    kinds = {
        ("email", "email"): fake.email,
        ("phone_number", "phone"): fake.phone_number,
        ("credit_card", "credit_card"): fake.credit_card_number,
        ("iban", "iban"): fake.iban,
        ("ip_address", "ip_address"): fake.ipv4,
        ("website", "url"): lambda: fake.url() + fake.uri_path(),
        ("ssn", "national_id"): fake.ssn,
        ("full_name", "person_name"): fake.name,
        ("first_name", "first_name"): fake.first_name,
        ("last_name", "last_name"): fake.last_name,
        ("col_1", "ip_address"): fake.ipv6,
        ("col_2", "email"): fake.company_email,
        ("col_3", "postcode"): uk.postcode,
        ("col_4", "postcode"): fake.zipcode,
        ("col_5", "identifier"): fake.uuid4,
        ("col_6", "credit_card"): fake.credit_card_number,
        ("col_7", "iban"): uk.iban,
        ("col_8", "person_name"): fake.name,
        ("col_9", "street_address"): fake.street_address,
        ("col_10", "identifier"): lambda: fake.bothify("??-#####-??").upper(),
    }
    data, truth = {}, {}
    for (name, kind), make in kinds.items():
        data[name] = [make() for _ in range(n_samples)]
        truth[name] = kind
    data.update(
        {
            "age": rng.randint(18, 90, n_samples),
            "income": rng.gamma(2, 20000, n_samples).round(2),
            "plan": rng.choice(["basic", "plus", "premium"], n_samples),
            "col_11": rng.choice(["north", "south", "east", "west"], n_samples),
            "col_12": pd.Timestamp("2020-01-01")
            + pd.to_timedelta(rng.randint(0, 900, n_samples), "D"),
        }
    )
    return pd.DataFrame(data), truth
