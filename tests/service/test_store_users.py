"""Users and personal API tokens: shown once, stored as sha256, revoked on disable."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.store.models import ApiToken
from service.store.repo_users import (
    UserExists,
    authenticate_password,
    create_user,
    disable_user,
    issue_token,
    list_users,
    set_password,
    token_sha256,
    user_for_token,
)


def test_token_identifies_user_and_only_its_hash_is_stored(session: Session) -> None:
    user, token = create_user(session, "liisa", "qa_reviewer")
    session.commit()
    assert token.startswith("pt_") and len(token) > 40
    stored = session.scalars(select(ApiToken.token_sha256)).all()
    assert stored == [token_sha256(token)] and token not in stored
    found = user_for_token(session, token)
    assert found is not None and found.id == user.id and found.role == "qa_reviewer"
    assert session.scalars(select(ApiToken)).one().last_used_at is not None
    assert user_for_token(session, token + "x") is None


def test_disable_revokes_every_token(session: Session) -> None:
    user, t1 = create_user(session, "pekka", "privacy_officer")
    t2 = issue_token(session, user)
    session.commit()
    assert disable_user(session, "pekka") == 2
    session.commit()
    assert user_for_token(session, t1) is None and user_for_token(session, t2) is None
    assert list_users(session)[0].disabled is True


def test_duplicate_name_and_unknown_role_are_refused(session: Session) -> None:
    create_user(session, "anna", "admin")
    with pytest.raises(UserExists):
        create_user(session, "anna", "qa_reviewer")
    with pytest.raises(ValueError):
        create_user(session, "bertta", "superuser")
    session.commit()
    assert [u.name for u in list_users(session)] == ["anna"]


def test_password_login(session: Session) -> None:
    create_user(session, "olli", "qa_reviewer")
    set_password(session, "olli", "oikea hevonen patteri niitti")
    assert authenticate_password(session, "olli", "oikea hevonen patteri niitti").name == "olli"
    assert authenticate_password(session, "olli", "väärä") is None
    assert authenticate_password(session, "nobody", "x") is None
