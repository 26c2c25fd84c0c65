"""Compliance scanner: catches agents and customers moving a conversation off the official channel.

Pure Python, no database in the hot path. Public API:

    scanner = Scanner(default_policy())
    result = scanner.scan("加我薇信：abc123", speaker="agent", conversation="c-1")
    result.action      # Verdict.BLOCK ("block" | "warn" | "allow")
    result.categories  # ("contact_wechat",)
    result.matches     # (Match(start=0, end=11, text="加我薇信：abc123", category="contact_wechat"),)

The policy (`ScannerPolicy`) is plain, JSON-serialisable data; `Scanner.use_policy` swaps a new
version in (compiled once per version). Images: `images.scan_image`. Command line: `cli.main`.
"""

from kefu.compliance.scanner.decide import ALLOW, Match, ScanResult, Verdict
from kefu.compliance.scanner.engine import Scanner
from kefu.compliance.scanner.lexicon import (
    ACTIVE,
    CATEGORIES,
    CONTACT_CATEGORIES,
    Action,
    CategoryRule,
    CompiledPolicy,
    PolicyHolder,
    ScannerPolicy,
    compile_policy,
    default_policy,
)
from kefu.compliance.scanner.normalise import Normalised, fold, normalise
from kefu.compliance.scanner.window import ConversationWindow

__all__ = [
    "ACTIVE",
    "ALLOW",
    "CATEGORIES",
    "CONTACT_CATEGORIES",
    "Action",
    "CategoryRule",
    "CompiledPolicy",
    "ConversationWindow",
    "Match",
    "Normalised",
    "PolicyHolder",
    "ScanResult",
    "Scanner",
    "ScannerPolicy",
    "Verdict",
    "compile_policy",
    "default_policy",
    "fold",
    "normalise",
]
