"""Operating the sandbox: first start, accounts and signing keys over time.

The service layer above the core ``sandbox.users`` and the review's keys:
``sandbox.users`` never imports ``sandbox.review``; this package joins them in
one transaction per change. Backups are in :mod:`sandbox.backup`.
"""

from sandbox.accounts._first_run import (
    first_run,
    init_home,
    require_first_run,
    require_initialised,
    require_own_home,
)
from sandbox.accounts._manage import (
    add_organisation,
    change_password,
    list_accounts,
    reset_password,
    rotate_key,
    set_account_active,
    signing_keys,
)
from sandbox.accounts._owner import hand_over, hand_over_home, new_home_owner

__all__ = [
    "add_organisation",
    "change_password",
    "first_run",
    "hand_over",
    "hand_over_home",
    "init_home",
    "list_accounts",
    "new_home_owner",
    "require_first_run",
    "require_initialised",
    "require_own_home",
    "reset_password",
    "rotate_key",
    "set_account_active",
    "signing_keys",
]
