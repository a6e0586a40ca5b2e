def test_health(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok", "database": "ok"}


def test_login_each_portal(as_user):
    for short, home in (("hana", "/client/"), ("sam", "/supplier/"), ("morgan", "/staff/")):
        c = as_user(short)
        resp = c.get(home)
        assert resp.status_code == 200, short
