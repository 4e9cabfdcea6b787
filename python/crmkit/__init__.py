"""crmkit: customer analytics over the crmkit C library (ctypes).

    >>> import crmkit
    >>> tx = crmkit.read_transactions("CDNOW_master.txt", amount_col="dollar_value")
    >>> crmkit.summary(tx, period="W").head()
    >>> crmkit.rfm(tx).segment.value_counts()

The shared library is found through CRMKIT_LIBRARY, or next to the installed package
(<prefix>/lib/libcrmkit.so), or in a build directory of a source checkout.
"""
from ._errors import (BufferTooSmallError, CrmkitError, CrmkitIOError, CrmkitMemoryError, InternalError,
                      InvalidArgumentError, NumericError, ParseError)
from ._lib import ABI_VERSION, lib as _library, library_path
from .data import Transactions, read_transactions
from .rfm import RfmResult, rfm, rfm_full, rfm_segment_summary
from .summary import summary
from . import clv
from .clv import BgBb, BgNbd, GammaGamma, MBgNbd, ParetoNBD, Sbg
from .analysis import Analysis, analyze
from . import churn
from .kano import KanoResult, kano
from .service import abtest, nps, service_metrics
from .survival import CohortRetention, KaplanMeier, cohort_retention, customer_durations, kaplan_meier

__version__ = _library.crmkit_version().decode()


def max_threads():
    """The most threads one crmkit call uses (>= 1): see set_max_threads."""
    return int(_library.crmkit_max_threads())


def set_max_threads(n):
    """At most n threads per crmkit call from now on, for the whole process (n > 0); n = 0 restores the
    default (the environment variable CRMKIT_THREADS, else the number of cores). Results never depend on
    it: large passes split their work the same way whatever the count."""
    import numbers
    from ._lib import check
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise InvalidArgumentError(f"set_max_threads: n = {n!r}: must be an integer >= 0")
    check(_library.crmkit_set_max_threads(max(min(int(n), 2**31 - 1), -1)))

__all__ = ["__version__", "max_threads", "set_max_threads", "kaplan_meier", "KaplanMeier", "customer_durations", "cohort_retention", "CohortRetention", "kano", "KanoResult", "nps", "service_metrics", "abtest", "analyze", "Analysis", "ABI_VERSION", "library_path", "Transactions", "read_transactions", "summary", "rfm",
           "rfm_segment_summary", "rfm_full", "RfmResult", "clv", "churn", "BgNbd", "MBgNbd", "ParetoNBD", "BgBb", "GammaGamma", "Sbg", "CrmkitError", "InvalidArgumentError", "ParseError",
           "CrmkitIOError", "NumericError", "CrmkitMemoryError", "BufferTooSmallError", "InternalError"]

# Interaction tables, churn indicators at a cutoff and escalation rules (crmkit/c/interactions.h).
from .interactions import Interactions, escalate, read_interactions  # noqa: E402

__all__ += ["Interactions", "escalate", "read_interactions"]

# Tracking repeat transactions against a fitted model: actual vs predicted (crmkit/c/tracking.h).
from . import tracking  # noqa: E402
from .tracking import expected_cumulative_transactions, expected_incremental_transactions  # noqa: E402

__all__ += ["tracking", "expected_cumulative_transactions", "expected_incremental_transactions"]

# Customer-keyed summary states: refresh with later transactions, merge customer shards (crmkit/c/state.h).
from .state import SummaryState, merge_states  # noqa: E402

__all__ += ["SummaryState", "merge_states"]
