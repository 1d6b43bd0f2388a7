"""The fixed names of the domain: aspects, intents, categories and entry ids.

These names are a contract with later issues and outside checks, so they live
here and nowhere else; everything else imports them.
"""

from __future__ import annotations

from enum import StrEnum


class Aspect(StrEnum):
    """One facet of an entry that a resident can ask about."""

    OVERVIEW = "overview"
    BASIS = "basis"
    CONDITIONS = "conditions"
    PROCEDURE = "procedure"
    TIME_LIMIT = "time_limit"
    METHOD = "method"
    MATERIALS = "materials"
    FEES = "fees"
    PENALTIES = "penalties"
    FINANCE = "finance"

    @property
    def label(self) -> str:
        """The short Chinese name shown on buttons and headings."""
        return ASPECT_LABELS[self]


ASPECT_LABELS: dict[Aspect, str] = {
    Aspect.OVERVIEW: "概述",
    Aspect.BASIS: "依据",
    Aspect.CONDITIONS: "条件",
    Aspect.PROCEDURE: "流程",
    Aspect.TIME_LIMIT: "时限",
    Aspect.METHOD: "办理方式",
    Aspect.MATERIALS: "材料",
    Aspect.FEES: "收费",
    Aspect.PENALTIES: "处罚",
    Aspect.FINANCE: "收支",
}

# The order in which aspects are offered as follow-ups.
ASPECT_ORDER: tuple[Aspect, ...] = tuple(Aspect)


class Intent(StrEnum):
    """What the resident wants, decided before which entry they mean."""

    ANSWER = "answer"
    COMPLAINT = "complaint"
    CONTACT = "contact"
    NONE = "none"


class Category(StrEnum):
    """The top-level menu of the bureau's sunshine-affairs programme."""

    APPROVAL = "阳光审批"
    FEES = "阳光收费"
    PENALTIES = "阳光处罚"
    FINANCE = "阳光理财"
    COMPLAINTS = "投诉监督"
    CONTACTS = "联系我们"


MENU_ORDER: tuple[Category, ...] = tuple(Category)

ENTRY_IDS: tuple[str, ...] = (
    "dibao",
    "wubao",
    "social-org-registration",
    "marriage-registration",
    "medical-assistance",
    "adoption-registration",
    "funeral",
    "non-enterprise-units",
    "special-funds",
    "office-funds",
    "contacts",
)

# The programme's six approval items (阳光审批), in its order.
APPROVAL_ENTRY_IDS: tuple[str, ...] = ENTRY_IDS[:6]

CONTACTS_ENTRY = "contacts"

# The marker every piece of locally-unknown data carries in the data and in replies.
SAMPLE_MARK = "示例数据"

# The unit of a finance disclosure unless its table names another.
DEFAULT_FINANCE_UNIT = "万元"
