"""Exceptions raised by crmkit, one per C ABI status code."""


class CrmkitError(Exception):
    """Base of every crmkit error; ``code`` is the C ABI status."""

    code = -1


class InvalidArgumentError(CrmkitError, ValueError):
    code = 1


class ParseError(CrmkitError, ValueError):
    """Bad input text; the message names file:line:column, what was expected and what was found."""

    code = 2


class CrmkitIOError(CrmkitError, OSError):
    code = 3


class NumericError(CrmkitError, ArithmeticError):
    code = 4


class CrmkitMemoryError(CrmkitError, MemoryError):
    code = 5


class BufferTooSmallError(CrmkitError):
    code = 6


class InternalError(CrmkitError):
    code = 99


_BY_CODE = {cls.code: cls for cls in (InvalidArgumentError, ParseError, CrmkitIOError, NumericError,
                                      CrmkitMemoryError, BufferTooSmallError, InternalError)}


def error_for(code, message):
    return _BY_CODE.get(code, CrmkitError)(message)
