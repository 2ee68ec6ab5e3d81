"""The API's own messages (problem titles, the scope refusal, a missing token) in the language of
Accept-Language, like the domain's messages: ja, zh-hans, ko."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language, title, detail", [
    ("ja", "このトークンではこの操作はできません。", "このトークンには権限 availability:read がありません。"),
    ("zh-hans", "此令牌无权执行此操作。", "此令牌没有权限 availability:read。"),
    ("ko", "이 토큰으로는 이 작업을 할 수 없습니다.", "이 토큰에는 권한 availability:read이(가) 없습니다."),
    ("en", "This token may not do this.", "This token does not have the scope availability:read."),
])
def test_the_scope_refusal_is_in_the_language_asked(api_as, make_token, language, title, detail):
    response = api_as(make_token("doses:read"), language=language).get("/venues")
    assert response.status_code == 403
    body = response.json()
    assert (body["title"], body["detail"], body["code"]) == (title, detail, "scope_missing")
    assert response["Content-Language"] == language


@pytest.mark.parametrize("language, title", [
    ("ja", "APIトークンが必要です。"), ("zh-hans", "需要API令牌。"), ("ko", "API 토큰이 필요합니다."),
])
def test_a_call_without_a_token_is_refused_in_the_language_asked(api_as, db, language, title):
    body = api_as(language=language).get("/venues").json()
    assert body["title"] == title and body["status"] == 401
    assert "Authorization: Bearer <token>" in body["detail"] and body["detail"] != \
        "Send an API token: Authorization: Bearer <token>."
