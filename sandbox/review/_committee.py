"""Ethics committees and their members (category, sex, affiliation, interests)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox.activity import log_activity
from sandbox.errors import ConflictError, InputError, NotFoundError
from sandbox.review._rules import CATEGORIES, check_committee
from sandbox.review._tables import Committee, CommitteeMember
from sandbox.roles import Actor, authorize
from sandbox.store import session_scope
from sandbox.store.tables import User

__all__ = [
    "DEMO_COMMITTEE", "DEMO_MEMBERS", "committee_members", "create_committee", "declare_interest", "get_committee",
    "list_committees", "show_committee",
]

# Roles whose users can sit on a committee (they must be able to vote).
MEMBER_ROLES: tuple[str, ...] = ("reviewer", "chair")

DEMO_COMMITTEE = "市大数据局科技伦理委员会"
# The demo committee: chair + reviewer…reviewer6 (see sandbox/demo/people.py).
DEMO_MEMBERS: tuple[dict[str, Any], ...] = (
    {"username": "chair", "category": "伦理", "sex": "男", "affiliation": "市大数据发展管理局", "interests": [], "is_chair": True},
    {"username": "reviewer", "category": "科技", "sex": "女", "affiliation": "市信息中心", "interests": []},
    {"username": "reviewer2", "category": "科技", "sex": "男", "affiliation": "浙江某大学计算机学院", "interests": []},
    {"username": "reviewer3", "category": "法律", "sex": "女", "affiliation": "市司法局", "interests": []},
    {"username": "reviewer4", "category": "伦理", "sex": "男", "affiliation": "市社会科学院", "interests": []},
    {"username": "reviewer5", "category": "法律", "sex": "男", "affiliation": "律师事务所", "interests": []},
    {"username": "reviewer6", "category": "其他", "sex": "女", "affiliation": "社区居民代表（老年人协会）",
     "interests": ["曾为数安城市科技有限公司提供咨询服务（2025年）"]},
)


def _member_dict(m: CommitteeMember) -> dict[str, Any]:
    return {
        "username": m.username, "name": m.name, "category": m.category, "sex": m.sex,
        "affiliation": m.affiliation, "interests": list(m.interests or []), "is_chair": m.is_chair,
        "voting": m.voting,
    }


def check_member_fields(m: dict[str, Any]) -> None:
    """A member's category and sex are among the allowed values."""
    if m.get("category") not in CATEGORIES:
        raise InputError("review.bad_category", member=m.get("username", "?"), value=m.get("category"),
                         choices="/".join(CATEGORIES))
    if m.get("sex") not in ("男", "女"):
        raise InputError("review.bad_sex", member=m.get("username", "?"), value=m.get("sex"))


def new_member(s: Session, committee_id: int, m: dict[str, Any]) -> CommitteeMember:
    """The member row for ``m`` once its account exists, is active and has the role the seat needs."""
    user = s.scalar(select(User).where(User.username == m["username"]))
    if user is None:
        raise NotFoundError("errors.unknown_user", username=m["username"])
    if not user.active:
        raise InputError("committee.member_inactive", username=user.username)
    if user.role not in MEMBER_ROLES or (m.get("is_chair") and user.role != "chair"):
        raise InputError("committee.member_role", username=user.username, role=user.role,
                         needed="chair" if m.get("is_chair") else "/".join(MEMBER_ROLES))
    return CommitteeMember(
        committee_id=committee_id, username=user.username, name=m.get("name") or user.display_name,
        category=m["category"], sex=m["sex"], affiliation=m.get("affiliation", ""),
        interests=list(m.get("interests") or []), is_chair=bool(m.get("is_chair")),
        voting=bool(m.get("voting", True)),
    )


def create_committee(*, actor: Actor | None, name: str, members: list[dict[str, Any]]) -> dict[str, Any]:
    """Create a committee (≥7 members covering 科技, 伦理, 法律). ``actor`` None: the system.

    Every member must be an existing, active user with the role reviewer or chair (the committee chair:
    role chair), listed once, with at most one chair. Nothing is written when any check fails.
    """
    if actor is not None:
        authorize(actor, "committee.manage")
    if not name.strip():
        raise InputError("committee.name_empty")
    seen: set[str] = set()
    for m in members:
        if m.get("username") in seen:
            raise InputError("committee.duplicate_member", username=m.get("username"))
        seen.add(m.get("username", ""))
    chairs = [m["username"] for m in members if m.get("is_chair")]
    if len(chairs) > 1:
        raise InputError("committee.two_chairs", usernames="、".join(chairs))
    for m in members:
        check_member_fields(m)
    check_committee(members)
    with session_scope(immediate=True) as s:
        if s.scalar(select(Committee).where(Committee.name == name)) is not None:
            raise ConflictError("review.committee_exists", name=name)
        committee = Committee(name=name)
        s.add(committee)
        s.flush()
        for m in members:
            s.add(new_member(s, committee.id, m))
        log_activity(s, actor, "review.committee", name, members=len(members))
        return {"id": committee.id, "name": name, "members": len(members)}


def get_committee(session: Session, committee: int | str | None) -> Committee:
    """A committee by id or name; None: the only (first) one."""
    query = select(Committee)
    if isinstance(committee, int):
        query = query.where(Committee.id == committee)
    elif isinstance(committee, str):
        query = query.where(Committee.name == committee)
    found = session.scalar(query.order_by(Committee.id))
    if found is None:
        raise NotFoundError("review.no_committee", committee=str(committee or ""))
    return found


def committee_members(session: Session, committee_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(select(CommitteeMember).where(CommitteeMember.committee_id == committee_id)
                           .order_by(CommitteeMember.id))
    return [_member_dict(m) for m in rows]


def list_committees(*, actor: Actor) -> list[dict[str, Any]]:
    authorize(actor, "review.view")
    with session_scope() as s:
        return [
            {"id": c.id, "name": c.name, "members": committee_members(s, c.id)}
            for c in s.scalars(select(Committee).order_by(Committee.id))
        ]


def show_committee(*, actor: Actor, committee: str | None = None) -> dict[str, Any]:
    """One committee (by name; None: the first): members, declared interests, membership changes."""
    from sandbox.review._membership import membership_changes

    authorize(actor, "review.view")
    with session_scope() as s:
        found = get_committee(s, committee)
        return {"id": found.id, "name": found.name, "created_at": found.created_at,
                "members": committee_members(s, found.id), "changes": membership_changes(s, found.id)}


def declare_interest(*, actor: Actor, username: str, interest: str, committee: str | None = None) -> dict[str, Any]:
    """Add a declared interest (e.g. "consulted for 某公司 in 2025") to a member.

    A member declares their own; an admin may record one on a member's behalf. Reviews opened from now on
    recuse the member from any vendor named in it (:func:`sandbox.review._rules.conflict_with`), and so do the
    committee's reviews still open (a declaration is typically made at the meeting): ``recused_in`` lists them.
    A vote the member already signed there no longer counts; decided reviews keep their recusals.
    """
    if actor.username != username:
        authorize(actor, "committee.manage")
    interest = interest.strip()
    if not interest:
        raise InputError("committee.interest_empty")
    with session_scope(immediate=True) as s:
        found = get_committee(s, committee)
        member = s.scalar(select(CommitteeMember).where(CommitteeMember.committee_id == found.id,
                                                        CommitteeMember.username == username))
        if member is None:
            raise NotFoundError("review.not_member", usernames=username)
        interests = list(member.interests or [])
        added = interest not in interests
        recused_in: list[str] = []
        if added:
            member.interests = [*interests, interest]
            log_activity(s, actor, "review.interest", found.name, member=username)
            from sandbox.review._recusal import recuse_in_open_reviews

            recused_in = recuse_in_open_reviews(s, actor, committee_id=found.id, member=_member_dict(member))
        return {"committee": found.name, "username": username, "interests": list(member.interests),
                "added": added, "recused_in": recused_in}
