#!/usr/bin/env python3
"""Seeds, over the API, what `balcao demo` leaves out so that every path parameter of the spec
has a real value, then writes the schemathesis configuration.

Destructive operations (deleting a store, a member, a category, ...) get throwaway resources of
their own, so that fuzzing them does not take the demo store's data away from the others.

The platform operators' routes (`/v1/admin/...`) are fuzzed with an operator's session: a user
signed up here, with TOTP turned on through the API and granted with `balcao admin grant`.

Usage: prepare.py --base URL --ids demo-ids.json --spec openapi.json --mail-dir DIR --bin balcao --out schemathesis.toml
"""

import argparse
import base64
import hashlib
import hmac
import json
import pathlib
import re
import struct
import subprocess
import sys
import time
import uuid

import requests


class Api:
    """A client that fails loudly: setup must work for the fuzz run to mean anything."""

    def __init__(self, base, token):
        self.base = base.rstrip("/")
        self.token = token
        self.http = requests.Session()

    def call(self, method, path, body=None, token=None, headers=None, data=None):
        # Storefront routes read a bearer as a customer token: the staff key stays off them.
        bearer = token or (None if path.startswith("/v1/storefront/") else self.token)
        hdrs = {**({"Authorization": f"Bearer {bearer}"} if bearer else {}), **(headers or {})}
        r = self.http.request(method, self.base + path, json=body, data=data, headers=hdrs, timeout=30)
        if r.status_code >= 300:
            sys.exit(f"fuzz setup: {method} {path} answered {r.status_code}: {r.text[:600]}")
        return r.json() if "json" in r.headers.get("content-type", "") else None

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body if body is not None else {}, **kw)


def wait_for(what, probe, seconds=60):
    """Polls `probe` until it returns something truthy."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.5)
    sys.exit(f"fuzz setup: gave up waiting for {what}")


def product_body(title, sku, variants=1):
    return {
        "title": title,
        "status": "active",
        "options": [{"name": "Tamanho", "values": [f"T{n}" for n in range(variants)]}],
        "variants": [
            {"sku": f"{sku}-{n}", "option_values": [f"T{n}"], "price": {"amount": 1990, "currency": "BRL"}, "on_hand": 50}
            for n in range(variants)
        ],
    }


def cart_with_item(api, slug, variant):
    cart = api.post(f"/v1/storefront/{slug}/carts", {"email": "fuzz@example.com"})
    cart = api.post(f"/v1/storefront/{slug}/carts/{cart['id']}/items", {"variant_id": variant, "quantity": 1})
    return cart


def seed_extras(api, ids, mail_dir):
    """Creates one of everything the demo does not make; returns the path parameter values."""
    store, slug = ids["store_id"], ids["slug"]
    s = f"/v1/stores/{store}"
    p = {"store_id": store, "slug": slug}
    first = lambda kind: ids["ids"][kind][0]  # noqa: E731
    p["category_id"], p["product_id"] = first("categories"), first("products")
    p["customer_id"], p["address_id"], p["coupon_id"] = first("customers"), first("addresses"), first("coupons")
    p["zone_id"], p["channel_id"] = first("delivery_zones"), first("channels")
    p["conversation_id"], p["template_id"] = first("conversations"), first("message_templates")
    p["endpoint_id"] = first("webhook_endpoints")
    product = api.get(f"{s}/products/{p['product_id']}")
    p["variant_id"] = product["variants"][0]["id"]
    by_status = ids["orders_by_status"]
    p["order_id"] = by_status["paid"][0]
    payments = api.get(f"{s}/payments?limit=100")["data"]
    paid = [x for x in payments if x["status"] == "paid" and x["method"] == "pix" and x["refunded_amount"] == 0]
    p["payment_id"] = paid[0]["id"]
    messages = api.get(f"{s}/messages?limit=100")["data"]
    p["message_id"] = next(m["id"] for m in messages if m["direction"] == "outbound")

    # People and keys: a second member (whom fuzzing may demote or remove), a custom role, a key.
    member_email = f"fuzz-{uuid.uuid4().hex[:8]}@example.com"
    api.post("/v1/auth/signup", {"email": member_email, "password": "fuzz-member-123", "name": "Membro"})
    # Only a verified account joins at once: follow the link of the verification email.
    api.post("/v1/auth/verify-email", {"token": emailed_token(mail_dir, member_email, "verify-email")})
    api.post(f"{s}/members", {"email": member_email, "role": "staff"})
    members = api.get(f"{s}/members?limit=100")["data"]
    p["user_id"] = next(m["user_id"] for m in members if m.get("email") == member_email)
    api.post(f"{s}/roles", {"name": f"estoquista-{uuid.uuid4().hex[:6]}", "permissions": ["catalog:read", "catalog:write"]})
    p["key_id"] = api.post(f"{s}/api-keys", {"name": "fuzz"})["id"]
    p["role_id"] = api.post(f"{s}/roles", {"name": "fuzz-vitrine", "permissions": ["catalog:read"]})["id"]
    p["invitation_id"] = api.post(f"{s}/members", {"email": f"convite-{uuid.uuid4().hex[:8]}@example.com",
                                                  "role": "viewer"})["id"]

    # Messaging: a suppression, an inbound source with one delivery, an unsubscribe link.
    api.post(f"{s}/suppressions", {"kind": "whatsapp", "contact": "+5511912345678"})
    p["kind"], p["contact"] = "whatsapp", "+5511912345678"
    app_secret = "fuzz-app-secret"
    api.call("PUT", f"{s}/inbound-sources/whatsapp", {"secrets": {"app_secret": app_secret, "verify_token": "fuzz"}})
    body = json.dumps(whatsapp_delivery()).encode()
    sig = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    hdrs = {"Content-Type": "application/json", "X-Hub-Signature-256": sig}
    api.call("POST", f"/v1/inbound/whatsapp/{store}", data=body, headers=hdrs)
    p["event_id"] = api.get(f"{s}/inbound-events")["data"][0]["id"]
    p["provider"] = "whatsapp"
    p["token"] = unsubscribe_token(api, s, mail_dir)

    # Storefront: a shopper token, an open cart with an item, a paid-for checkout.
    customer_token = api.post(f"{s}/customers/{p['customer_id']}/tokens")["token"]
    cart = cart_with_item(api, slug, p["variant_id"])
    p["cart_id"], p["item_id"] = cart["id"], cart["items"][0]["id"]
    return p, customer_token


def whatsapp_delivery():
    message = {"from": "5511987654321", "id": f"wamid.{uuid.uuid4().hex}", "timestamp": str(int(time.time())),
               "type": "text", "text": {"body": "Oi! Tem a camiseta do ipê no M?"}}
    value = {"messaging_product": "whatsapp",
             "metadata": {"display_phone_number": "5511940028922", "phone_number_id": "100200300"},
             "contacts": [{"profile": {"name": "Mariana"}, "wa_id": "5511987654321"}], "messages": [message]}
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "100200300", "changes": [{"field": "messages", "value": value}]}]}


def emailed_token(mail_dir, to, path):
    """The token of the `/{path}?token=` link in the email the server wrote for `to`."""
    import email
    from email import policy

    def probe():
        for eml in pathlib.Path(mail_dir).rglob("*.eml"):
            message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
            if to not in str(message.get("To", "")):
                continue
            body = message.get_body(preferencelist=("plain",))
            found = body and re.search(rf"/{path}\?token=([A-Za-z0-9_\-]+)", body.get_content())
            if found:
                return found.group(1)
        return None

    return wait_for(f"the {path} email to {to}", probe)


def unsubscribe_token(api, s, mail_dir):
    """Sends a marketing email (written to the mail directory) and reads its unsubscribe link."""
    channel = api.post(f"{s}/channels", {"kind": "email", "provider": "smtp", "name": "E-mail da loja",
                                         "sender": "loja@example.com"})["id"]
    # Marketing needs the customer's consent on the channel (LGPD): record it first.
    customers = api.get(f"{s}/customers?limit=100")["data"]
    mariana = next(c["id"] for c in customers if c.get("email") == "mariana.souza@example.com")
    api.post(f"{s}/customers/{mariana}/consents", {"channel": "email", "purpose": "marketing", "granted": True,
                                                   "source": "fuzz setup"})
    content = {"type": "email", "subject": "Novidades da semana", "text": "Chegou a coleção de verão."}
    api.post(f"{s}/messages", {"channel": channel, "to": "mariana.souza@example.com", "content": content,
                               "category": "marketing"})

    def link():
        for eml in pathlib.Path(mail_dir).rglob("*.eml"):
            found = re.search(r"/v1/unsubscribe/([A-Za-z0-9_\-.=]+)", eml.read_text(errors="replace"))
            if found:
                return found.group(1)
        return None

    return wait_for("the marketing email's unsubscribe link", link)


def throwaways(api, ids, p):
    """Resources that destructive operations may take apart, by operation."""
    store, slug = ids["store_id"], ids["slug"]
    s = f"/v1/stores/{store}"
    tag = uuid.uuid4().hex[:6]
    spare_store = api.post("/v1/stores", {"name": "Loja descartável", "slug": f"descartavel-{tag}"})["id"]
    pay_store = api.post("/v1/stores", {"name": "Loja de pagamentos", "slug": f"pagamentos-{tag}"})["id"]
    api.call("PUT", f"/v1/stores/{pay_store}/payment-accounts/stripe",
             {"credentials": {"secret_key": "sk_test_fuzz"}, "active": False})
    category = api.post(f"{s}/categories", {"name": f"Descartável {tag}"})["id"]
    product = api.post(f"{s}/products", product_body(f"Descartável {tag}", f"FUZZ-{tag}", variants=2))
    coupon = api.post(f"{s}/coupons", {"code": f"FUZZ{tag}".upper(), "kind": "percentage", "percent_bps": 500})["id"]
    zone = api.post(f"{s}/delivery-zones", {"name": f"Descartável {tag}", "kind": "pickup",
                                            "rules": {"address": "Rua A, 1"}})["id"]
    channel = api.post(f"{s}/channels", {"kind": "sms", "provider": "sandbox", "name": f"Descartável {tag}"})["id"]
    template = api.post(f"{s}/message-templates", {"kind": "whatsapp", "name": f"descartavel_{tag}",
                                                   "language": "pt_BR", "category": "utility",
                                                   "components": [{"type": "body", "text": "Oi {{1}}"}]})["id"]
    endpoint = api.post(f"{s}/webhook-endpoints", {"url": "https://descartavel.example.com/hook",
                                                    "event_types": ["*"]})["id"]
    address = api.post(f"{s}/customers/{p['customer_id']}/addresses", {
        "recipient": "Descartável", "cep": "01310-100", "street": "Avenida Paulista", "number": "1",
        "neighborhood": "Bela Vista", "city": "São Paulo", "state": "SP"})["id"]
    spare_cart = cart_with_item(api, slug, p["variant_id"])
    checkout_cart = cart_with_item(api, slug, p["variant_id"])
    paid_cart = cart_with_item(api, slug, p["variant_id"])
    pickup = next(z["id"] for z in api.get(f"{s}/delivery-zones?limit=100")["data"] if z["kind"] == "pickup")
    buyer = {"customer": {"name": "Cliente Fuzz", "email": "fuzz@example.com"}, "delivery_method_id": pickup}
    api.post(f"/v1/storefront/{slug}/carts/{paid_cart['id']}/checkout", buyer, headers={"Idempotency-Key": tag})
    sf_payment = api.post(f"/v1/storefront/{slug}/carts/{paid_cart['id']}/payments", {"method": "pix"},
                          headers={"Idempotency-Key": f"{tag}-pay"})["id"]
    pending = ids["orders_by_status"]["pending_payment"][0]
    cart_path = "/v1/storefront/{slug}/carts/{cart_id}"
    return [
        (["DELETE /v1/stores/{store_id}", "PATCH /v1/stores/{store_id}"], {"store_id": spare_store}),
        (["PUT /v1/stores/{store_id}/payment-accounts/{provider}",
          "DELETE /v1/stores/{store_id}/payment-accounts/{provider}"], {"store_id": pay_store, "provider": "stripe"}),
        (["DELETE /v1/stores/{store_id}/roles/{role_id}"],
         {"role_id": api.post(f"{s}/roles", {"name": f"descartavel-{tag}", "permissions": ["catalog:read"]})["id"]}),
        (["DELETE /v1/stores/{store_id}/categories/{category_id}"], {"category_id": category}),
        (["DELETE /v1/stores/{store_id}/products/{product_id}",
          "DELETE /v1/stores/{store_id}/products/{product_id}/variants/{variant_id}"],
         {"product_id": product["id"], "variant_id": product["variants"][1]["id"]}),
        (["DELETE /v1/stores/{store_id}/coupons/{coupon_id}"], {"coupon_id": coupon}),
        (["DELETE /v1/stores/{store_id}/delivery-zones/{zone_id}"], {"zone_id": zone}),
        (["DELETE /v1/stores/{store_id}/channels/{channel_id}"], {"channel_id": channel}),
        (["DELETE /v1/stores/{store_id}/message-templates/{template_id}"], {"template_id": template}),
        (["DELETE /v1/stores/{store_id}/webhook-endpoints/{endpoint_id}"], {"endpoint_id": endpoint}),
        (["DELETE /v1/stores/{store_id}/customers/{customer_id}/addresses/{address_id}"], {"address_id": address}),
        ([f"DELETE {cart_path}/items/{{item_id}}"],
         {"cart_id": spare_cart["id"], "item_id": spare_cart["items"][0]["id"]}),
        ([f"POST {cart_path}/checkout"], {"cart_id": checkout_cart["id"]}),
        ([f"POST {cart_path}/payments", f"GET {cart_path}/payments/{{payment_id}}",
          f"GET {cart_path}/payments/{{payment_id}}/qr.png", f"GET {cart_path}/payments/{{payment_id}}/qr.svg"],
         {"cart_id": paid_cart["id"], "payment_id": sf_payment}),
        (["POST /v1/stores/{store_id}/orders/{order_id}/payments"], {"order_id": pending}),
    ]


def first_delivery(api, store, endpoint):
    """The worker delivers the seed's events to the demo endpoint (and fails: it is not reachable)."""
    path = f"/v1/stores/{store}/webhook-endpoints/{endpoint}/deliveries"
    return wait_for("a webhook delivery", lambda: (api.get(path)["data"] or [{}])[0].get("id"))


def docs_viewer_file(base):
    """The viewer script the docs page loads (`/docs/assets/{file}`)."""
    page = requests.get(f"{base}/docs", timeout=30).text
    found = re.search(r'/docs/assets/([\w.\-]+\.js)', page)
    if not found:
        sys.exit("fuzz setup: the docs page names no viewer script")
    return found.group(1)


def totp_code(secret_b32, at=None):
    """RFC 6238 with the server's parameters: SHA-1, 6 digits, 30 s steps."""
    secret = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(secret, struct.pack(">Q", int(at if at is not None else time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def operator_session(api, mail_dir, binary):
    """A platform operator's session: signed up and verified, TOTP on, granted from the command line."""
    email = f"operador-{uuid.uuid4().hex[:8]}@example.com"
    login = {"email": email, "password": "fuzz-operator-123"}
    api.post("/v1/auth/signup", {**login, "name": "Operadora"})
    api.post("/v1/auth/verify-email", {"token": emailed_token(mail_dir, email, "verify-email")})
    token = api.post("/v1/auth/login", login)["token"]
    secret = api.post("/v1/me/totp", token=token)["secret"]
    api.post("/v1/me/totp/confirm", {"code": totp_code(secret)}, token=token)
    granted = subprocess.run([binary, "admin", "grant", email], capture_output=True, text=True, timeout=60)
    if granted.returncode != 0:
        sys.exit(f"fuzz setup: balcao admin grant failed: {granted.stderr[-600:]}")
    api.get("/v1/admin/plans", token=token)  # fails loudly unless the session is an operator's
    return token


def admin_operations(spec):
    """Every operation of the spec under /v1/admin, as schemathesis names it."""
    paths = json.loads(pathlib.Path(spec).read_text())["paths"]
    return sorted(f"{method.upper()} {path}" for path, item in paths.items() if path.startswith("/v1/admin/")
                  for method in item if method in {"get", "post", "put", "patch", "delete"})


def toml_value(value):
    return json.dumps(value, ensure_ascii=False)


def write_config(out, base, spec, params, overrides, token, customer_token, logout_token):
    lines = [
        "# Written by tests/fuzz/prepare.py for one run; every path parameter has a real value.",
        f"base-url = {toml_value(base)}",
        "",
        "[auth.openapi.bearer]",
        f"bearer = {toml_value(token)}",
        "",
        "[auth.openapi.customer_token]",
        f"bearer = {toml_value(customer_token)}",
        "",
        "[parameters]",
    ]
    lines += [f"{toml_value('path.' + k)} = {toml_value(v)}" for k, v in sorted(params.items())]
    # Ending sessions or changing the password must not end the session the rest of the run uses.
    ending = ["POST /v1/auth/logout", "DELETE /v1/me/sessions", "DELETE /v1/me/sessions/{session_id}",
              "PUT /v1/me/password"]
    overrides = overrides + [(ending, None, logout_token)]
    for names, values, bearer in overrides:
        lines += ["", "[[operations]]", f"include-name = {toml_value(names)}"]
        if bearer is not None:
            lines += ["[operations.headers]", f"Authorization = {toml_value('Bearer ' + bearer)}"]
        if values:
            lines += ["[operations.parameters]"]
            lines += [f"{toml_value('path.' + k)} = {toml_value(v)}" for k, v in sorted(values.items())]
    pathlib.Path(out).write_text("\n".join(lines) + "\n")
    check_every_parameter(spec, params)


def check_every_parameter(spec, params):
    """Fails when the spec has a path parameter the config gives no value."""
    names = set()
    for path in json.loads(pathlib.Path(spec).read_text())["paths"]:
        names |= set(re.findall(r"{(\w+)}", path))
    missing = sorted(names - set(params))
    if missing:
        sys.exit(f"fuzz setup: no value for the path parameters {missing}; seed them in tests/fuzz/prepare.py")


def main():
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag in ["--base", "--ids", "--spec", "--mail-dir", "--bin", "--out"]:
        args.add_argument(flag, required=True)
    args = args.parse_args()
    ids = json.loads(pathlib.Path(args.ids).read_text())
    api = Api(args.base, ids["token"])
    params, customer_token = seed_extras(api, ids, args.mail_dir)
    params["delivery_id"] = first_delivery(api, ids["store_id"], params["endpoint_id"])
    params["file"] = docs_viewer_file(args.base)
    # Registering a passkey needs an authenticator, which this setup has none of: an unknown
    # id exercises DELETE /v1/me/passkeys/{passkey_id}'s 404.
    params["passkey_id"] = str(uuid.uuid4())
    overrides = [(names, values, None) for names, values in throwaways(api, ids, params)]
    # Operators edit the `enterprise` plan (the demo store is on `free`) and move a throwaway
    # store between plans, so their fuzzing changes nothing the rest of the run depends on.
    params["plan"] = "enterprise"
    operator = operator_session(api, args.mail_dir, args.bin)
    moved = api.post("/v1/stores", {"name": "Loja do operador", "slug": f"operador-{uuid.uuid4().hex[:6]}"})["id"]
    overrides.append((admin_operations(args.spec), {"store_id": moved}, operator))
    login = {"email": "demo@balcao.dev", "password": "balcao-demo-123"}
    logout_token = requests.post(f"{args.base}/v1/auth/login", json=login, timeout=30).json()["token"]
    # A session of its own for DELETE /v1/me/sessions/{session_id} to end.
    spare = requests.post(f"{args.base}/v1/auth/login", json=login, timeout=30).json()["token"]
    mine = requests.get(f"{args.base}/v1/me/sessions", headers={"Authorization": f"Bearer {spare}"}, timeout=30).json()
    params["session_id"] = next(x["id"] for x in mine["data"] if x["current"])
    write_config(args.out, args.base, args.spec, params, overrides, ids["token"], customer_token, logout_token)
    print(f"fuzz setup: {len(params)} path parameters, {len(overrides)} operation overrides -> {args.out}")


if __name__ == "__main__":
    main()
