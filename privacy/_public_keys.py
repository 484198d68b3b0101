"""Group keys of a DP table are published as they are: they must not be personal information.

``release histogram --keys-from-data`` over 户主姓名 (or a 门牌号, an ID column)
published every name as a row of the "differentially private" table — the noise
protects counts, never the keys. Before any ε is reserved, every key domain
(from the data, a keys file or the policy) is scanned like a table column; a
column whose values hold personal information is refused, naming it and the
types found.
"""

from __future__ import annotations

import pandas as pd

from sandbox.errors import InputError

__all__ = ["refuse_personal_keys"]


def refuse_personal_keys(by: list[str], domains: list[list[str]], *, skip: tuple[str, ...] = ()) -> None:
    """Raise ``privacy.err.keys_personal`` (nothing spent) when a group column's keys hold personal information.

    ``skip``: key values that are the table's own (其他, 未知, age-band labels).
    """
    from privacy._profile import profile_column
    from privacy.deid._classify import format_counts

    for column, domain in zip(by, domains, strict=True):
        values = [v for v in domain if v not in skip]
        if not values:
            continue
        counts = profile_column(pd.DataFrame({column: values}), column, thorough=True, explain=False).entity_counts()
        if counts:
            raise InputError("privacy.err.keys_personal", column=column, types=format_counts(dict(counts)))
