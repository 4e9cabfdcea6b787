"""Loading libcrmkit.so and declaring every C function's signature in one table."""
import ctypes
import glob
import os
import weakref
from ctypes import POINTER, c_char_p, c_double, c_int32, c_int64, c_uint32, c_void_p

from ._errors import InvalidArgumentError, error_for


class _Text(c_char_p):
    """c_char_p that refuses bytes holding a NUL: C would see the text cut at it (a path "a.csv\\0x" would
    open "a.csv"). Every `c_char_p` argument in the signature tables is declared as this type."""

    @classmethod
    def from_param(cls, value):
        if isinstance(value, (bytes, bytearray)) and b"\0" in value:
            at = bytes(value).index(b"\0")
            raise InvalidArgumentError(f"crmkit: text {bytes(value)[:80]!r} holds a NUL byte at position {at}; "
                                       "paths, names and words passed to crmkit cannot contain NUL")
        return c_char_p.from_param(value)


def _bind(lib, name, res, args):
    """Declares one function. One that takes text is wrapped so that a NUL inside a text argument raises
    InvalidArgumentError itself (ctypes would wrap it in a ctypes.ArgumentError)."""
    fn = lib[name]
    fn.restype = res
    fn.argtypes = [_Text if a is c_char_p else a for a in args]
    if c_char_p not in args:
        setattr(lib, name, fn)
        return

    def call(*a):
        try:
            return fn(*a)
        except ctypes.ArgumentError as e:
            text = str(e)
            if "holds a NUL byte" not in text:
                raise
            raise InvalidArgumentError(text[text.index("crmkit: "):]) from None

    call.__name__ = name
    setattr(lib, name, call)

#: The C ABI version this package was written for (CRMKIT_ABI_VERSION in crmkit.h).
ABI_VERSION = 1

_P = c_void_p
_I64P = POINTER(c_int64)
_I32P = POINTER(c_int32)
_DP = POINTER(c_double)
_U32P = POINTER(c_uint32)
_CPP = POINTER(c_char_p)

# name: (restype, argtypes)
_SIGNATURES = {
    "crmkit_version": (c_char_p, []),
    "crmkit_abi_version": (c_int32, []),
    "crmkit_last_error": (c_char_p, []),
    "crmkit_status_name": (c_char_p, [c_int32]),
    "crmkit_set_max_threads": (c_int32, [c_int32]),
    "crmkit_max_threads": (c_int32, []),
    "crmkit_options_new": (c_int32, [POINTER(_P)]),
    "crmkit_options_set": (c_int32, [_P, c_char_p, c_char_p]),
    "crmkit_options_free": (c_int32, [_P]),
    "crmkit_transactions_read_csv": (c_int32, [c_char_p, _P, POINTER(_P)]),
    "crmkit_transactions_from_arrays": (c_int32, [_U32P, _I64P, _DP, c_int64, c_int32, POINTER(_P)]),
    "crmkit_transactions_set_ids": (c_int32, [_P, _CPP, c_int64]),
    "crmkit_transactions_len": (c_int32, [_P, _I64P]),
    "crmkit_transactions_n_customers": (c_int32, [_P, _I64P]),
    "crmkit_transactions_time_unit": (c_int32, [_P, _I32P]),
    "crmkit_transactions_columns": (c_int32, [_P, POINTER(_U32P), POINTER(_I64P), POINTER(_DP)]),
    "crmkit_transactions_ids": (c_int32, [_P, POINTER(c_void_p), POINTER(_I64P), _I64P]),
    "crmkit_transactions_read_report": (c_int32, [_P, _I64P, _I64P, _I64P]),
    "crmkit_transactions_read_message": (c_int32, [_P, c_int64, _CPP]),
    "crmkit_transactions_read_count": (c_int32, [_P, c_char_p, _I64P]),
    "crmkit_transactions_free": (c_int32, [_P]),
    "crmkit_summary_compute": (c_int32, [_P, _P, POINTER(_P)]),
    "crmkit_summary_merge": (c_int32, [_P, _P, POINTER(_P)]),
    "crmkit_summary_len": (c_int32, [_P, _I64P]),
    "crmkit_summary_customers": (c_int32, [_P, _U32P, c_int64]),
    "crmkit_summary_column": (c_int32, [_P, c_char_p, _DP, c_int64]),
    "crmkit_summary_free": (c_int32, [_P]),
    "crmkit_summary_compress": (c_int32, [_DP, _DP, _DP, c_int64, _DP, _DP, _DP, _DP, _U32P, _I64P]),
    "crmkit_rfm_compute": (c_int32, [_P, _P, POINTER(_P)]),
    "crmkit_rfm_len": (c_int32, [_P, _I64P]),
    "crmkit_rfm_as_of": (c_int32, [_P, _I64P]),
    "crmkit_rfm_customers": (c_int32, [_P, _U32P, c_int64]),
    "crmkit_rfm_values": (c_int32, [_P, c_char_p, _DP, c_int64]),
    "crmkit_rfm_scores": (c_int32, [_P, _I32P, _I32P, _I32P, c_int64]),
    "crmkit_rfm_segments": (c_int32, [_P, _I32P, c_int64]),
    "crmkit_rfm_segment_count": (c_int32, [_P, _I64P]),
    "crmkit_rfm_segment_name": (c_int32, [_P, c_int64, _CPP]),
    "crmkit_rfm_segment_summary": (c_int32, [_P, c_char_p, _DP, c_int64]),
    "crmkit_rfm_free": (c_int32, [_P]),
}


def _candidates():
    env = os.environ.get("CRMKIT_LIBRARY")
    if env:
        yield env
        return
    here = os.path.dirname(os.path.abspath(__file__))
    # installed layout: <prefix>/lib/crmkit/python/crmkit/ beside <prefix>/lib/libcrmkit.so
    yield os.path.normpath(os.path.join(here, "..", "..", "..", "libcrmkit.so"))
    # a source checkout: <repo>/python/crmkit with builds under <repo>/build/*
    repo = os.path.normpath(os.path.join(here, "..", ".."))
    for p in sorted(glob.glob(os.path.join(repo, "build", "*", "libcrmkit.so")) +
                    glob.glob(os.path.join(repo, "build", "libcrmkit.so"))):
        yield p
    from ctypes.util import find_library
    found = find_library("crmkit")
    if found:
        yield found


def _load():
    tried = []
    for path in _candidates():
        if os.path.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            tried.append(f"{path} ({e})")
            continue
        for name, (res, args) in _SIGNATURES.items():
            _bind(lib, name, res, args)
        abi = lib.crmkit_abi_version()
        if abi != ABI_VERSION:
            raise ImportError(f"crmkit: {path} has C ABI version {abi}, but this package needs {ABI_VERSION}; "
                              "install matching versions or point CRMKIT_LIBRARY at the right libcrmkit.so")
        return lib, path
    raise ImportError("crmkit: libcrmkit.so not found; set CRMKIT_LIBRARY to its path. Tried: " + "; ".join(tried))


lib, library_path = _load()


def declare(signatures):
    """Sets restype/argtypes for {name: (restype, [argtypes])}. Each area module (clv, churn, kano,
    service, ...) declares its own functions at import with this, beside the code that calls them."""
    for name, (res, args) in signatures.items():
        _bind(lib, name, res, args)


def check(rc):
    """Raises the CrmkitError subclass of a non-zero status, with the library's message."""
    if rc != 0:
        raise error_for(rc, lib.crmkit_last_error().decode("utf-8", "replace"))


def release_with(owner, handle, free):
    """Frees ``handle`` with ``free`` exactly once: when ``owner`` is collected, when the returned
    finalizer is called (``close()``), or at interpreter exit while the library is still loaded. A
    ``__del__`` could run after module teardown and print "Exception ignored in ... 'NoneType' object
    has no attribute 'crmkit_clv_free'" (issue 16); weakref.finalize cannot."""
    return weakref.finalize(owner, free, handle)


class Options:
    """A crmkit_options handle filled from keyword arguments (None values are left out)."""

    def __init__(self, **kv):
        self._h = c_void_p()
        check(lib.crmkit_options_new(ctypes.byref(self._h)))
        release_with(self, self._h, lib.crmkit_options_free)
        for k, v in kv.items():
            if v is None:
                continue
            if isinstance(v, bool):
                v = "1" if v else "0"
            elif isinstance(v, (list, tuple)):
                v = ",".join(str(x) for x in v)
            check(lib.crmkit_options_set(self._h, k.encode(), str(v).encode()))

    @property
    def handle(self):
        return self._h

