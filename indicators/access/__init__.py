"""Who may see and change what: accounts, one-time sign-in links and the roles table (no streamlit here).

    from indicators.access import AccountStore, can, pages_for
    can("facilitator", "live")      # True
    can(None, "read")               # False: not signed in

The app's side (sign-in page, the guard at the top of each page) is app_pages/auth.py; the command line's is
indicators/cli/users.py; the promise and its tests are in docs/security.md.
"""
from indicators.access.accounts import (DEMO_LEAD, LINK_MINUTES, AccessError, AccountStore, User, hash_password,
                                        signin_url, verify_password)
from indicators.access.roles import CAN, PAGES, PHONE_PAGES, ROLES, can, pages_for

__all__ = ["AccessError", "AccountStore", "User", "hash_password", "verify_password", "signin_url", "DEMO_LEAD",
           "LINK_MINUTES", "CAN", "PAGES", "PHONE_PAGES", "ROLES", "can", "pages_for"]
