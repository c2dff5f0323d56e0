//! An EFI stand-in: HTTPS on 127.0.0.1 that requires a client certificate issued by a test CA
//! (mutual TLS), answers `/oauth/token`, `/v2/cob/:txid` and `/v2/pix/:e2eId/devolucao/:id`
//! like EFI's docs, and records every request it serves.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use balcao_payments::providers::efi::EfiConfig;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{RootCertStore, ServerConfig, crypto};

pub const CLIENT_ID: &str = "Client_Id_test";
pub const CLIENT_SECRET: &str = "Client_Secret_test";
/// `base64("Client_Id_test:Client_Secret_test")`, computed outside Rust.
pub const BASIC: &str = "Basic Q2xpZW50X0lkX3Rlc3Q6Q2xpZW50X1NlY3JldF90ZXN0";

/// A test CA, the server's certificate, our client identity and a stranger's.
pub struct Pki {
    pub ca_pem: String,
    /// Client certificate (issued by the CA) and its key, as `EfiConfig::certificate_pem`.
    pub client_pem: String,
    /// A self-signed client identity the server does not trust.
    pub stranger_pem: String,
    client_der: Vec<u8>,
    ca_der: CertificateDer<'static>,
    server_der: CertificateDer<'static>,
    server_key_der: Vec<u8>,
}

pub fn pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "balcao test CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::DigitalSignature];
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().unwrap();
    let mut server = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server = server.signed_by(&server_key, &issuer).unwrap();

    let client = |name: &str, issuer: Option<&Issuer<'_, KeyPair>>| {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let cert = match issuer {
            Some(issuer) => params.signed_by(&key, issuer).unwrap(),
            None => params.self_signed(&key).unwrap(),
        };
        (format!("{}{}", cert.pem(), key.serialize_pem()), cert.der().to_vec())
    };
    let (client_pem, client_der) = client("balcao EFI client", Some(&issuer));
    let (stranger_pem, _) = client("stranger", None);
    Pki {
        ca_pem: ca.pem(),
        client_pem,
        stranger_pem,
        client_der,
        ca_der: ca.der().clone(),
        server_der: server.der().clone(),
        server_key_der: server_key.serialize_der(),
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// Lower-case names.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
    /// Whether the TLS peer presented our client certificate.
    pub client_cert_ok: bool,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

#[derive(Default)]
struct State {
    requests: Mutex<Vec<Recorded>>,
    rejected_handshakes: AtomicUsize,
    issued: AtomicUsize,
    valid_tokens: Mutex<HashSet<String>>,
    forced: Mutex<VecDeque<(u16, Value)>>,
    expires_in: u64,
    client_der: Vec<u8>,
}

pub struct MockEfi {
    pub base_url: String,
    state: Arc<State>,
}

impl MockEfi {
    /// Starts the server; tokens it issues say they expire in `expires_in` seconds.
    pub async fn start(pki: &Pki, expires_in: u64) -> MockEfi {
        let provider = Arc::new(crypto::aws_lc_rs::default_provider());
        let mut roots = RootCertStore::empty();
        roots.add(pki.ca_der.clone()).unwrap();
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone()).build().unwrap();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.server_key_der.clone()));
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_client_cert_verifier(verifier)
            .with_single_cert(vec![pki.server_der.clone()], key)
            .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("https://{}", listener.local_addr().unwrap());
        let state = Arc::new(State { expires_in, client_der: pki.client_der.clone(), ..State::default() });
        let accepting = state.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, state) = (acceptor.clone(), accepting.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        state.rejected_handshakes.fetch_add(1, Ordering::SeqCst);
                        return;
                    };
                    let peer = tls.get_ref().1.peer_certificates().and_then(|c| c.first().cloned());
                    let cert_ok = peer.is_some_and(|c| c.as_ref() == state.client_der.as_slice());
                    let service = service_fn(move |request| serve(state.clone(), cert_ok, request));
                    let _ =
                        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(tls), service).await;
                });
            }
        });
        MockEfi { base_url, state }
    }

    /// A client configuration for this server with our identity and the test CA.
    pub fn config(&self, pki: &Pki) -> EfiConfig {
        EfiConfig {
            base_url: self.base_url.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            certificate_pem: pki.client_pem.clone(),
            extra_root_pem: Some(pki.ca_pem.clone()),
            outbound: balcao_core::outbound::Policy::ALLOW_PRIVATE,
        }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    pub fn token_requests(&self) -> usize {
        self.requests().iter().filter(|r| r.path == "/oauth/token").count()
    }

    pub fn api_requests(&self) -> Vec<Recorded> {
        self.requests().into_iter().filter(|r| r.path != "/oauth/token").collect()
    }

    pub fn rejected_handshakes(&self) -> usize {
        self.state.rejected_handshakes.load(Ordering::SeqCst)
    }

    /// Every token issued so far stops working, as if EFI had revoked them.
    pub fn revoke_tokens(&self) {
        self.state.valid_tokens.lock().unwrap().clear();
    }

    /// The next API call (after the token check) gets this answer.
    pub fn respond_next(&self, status: u16, body: Value) {
        self.state.forced.lock().unwrap().push_back((status, body));
    }
}

async fn serve(
    state: Arc<State>,
    cert_ok: bool,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await?.to_bytes().to_vec();
    let headers =
        parts.headers.iter().map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned())).collect();
    let recorded = Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        headers,
        body,
        client_cert_ok: cert_ok,
    };
    state.requests.lock().unwrap().push(recorded.clone());
    let (status, body) = answer(&state, &recorded);
    let response = Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap();
    Ok(response)
}

fn answer(state: &State, request: &Recorded) -> (u16, Value) {
    if request.path == "/oauth/token" {
        let grant = request.json() == json!({ "grant_type": "client_credentials" });
        if request.method != "POST" || request.header("authorization") != Some(BASIC) || !grant {
            return (401, json!({ "error": "invalid_client", "error_description": "Invalid or inactive credentials" }));
        }
        let token = format!("token-{}", state.issued.fetch_add(1, Ordering::SeqCst) + 1);
        state.valid_tokens.lock().unwrap().insert(token.clone());
        let scope = "cob.read cob.write pix.read pix.write";
        return (
            200,
            json!({ "access_token": token, "token_type": "Bearer", "expires_in": state.expires_in, "scope": scope }),
        );
    }
    let bearer = request.header("authorization").and_then(|h| h.strip_prefix("Bearer "));
    if !bearer.is_some_and(|t| state.valid_tokens.lock().unwrap().contains(t)) {
        return (401, json!({ "nome": "nao_autorizado", "mensagem": "Token de acesso inválido" }));
    }
    if let Some(forced) = state.forced.lock().unwrap().pop_front() {
        return forced;
    }
    let segments: Vec<&str> = request.path.trim_start_matches('/').split('/').collect();
    match (request.method.as_str(), segments.as_slice()) {
        ("PUT", ["v2", "cob", txid]) => (201, created_cob(txid, request.json())),
        ("GET", ["v2", "cob", txid]) => (200, paid_cob(txid)),
        // EFI answers a split configuration with its id and status, and a link with an empty object.
        ("PUT", ["v2", "gn", "split", "config", id]) => (201, json!({ "id": id, "status": "ativo", "txid": null })),
        ("PUT", ["v2", "gn", "split", "cob", _, "vinculo", _]) => (200, json!({})),
        ("PUT", ["v2", "pix", _, "devolucao", id]) => (
            201,
            json!({
                "id": id,
                "rtrId": "D12345678202009091000abcde123456",
                "valor": request.json()["valor"],
                "horario": { "solicitacao": "2020-09-11T15:25:59.411Z" },
                "status": "EM_PROCESSAMENTO"
            }),
        ),
        _ => (404, json!({ "nome": "nao_encontrado", "mensagem": "Rota desconhecida" })),
    }
}

/// EFI's 201 for `PUT /v2/cob/:txid`: the request echoed with what EFI adds.
fn created_cob(txid: &str, mut cob: Value) -> Value {
    cob["calendario"]["criacao"] = json!("2020-09-09T20:15:00.358Z");
    cob["txid"] = json!(txid);
    cob["revisao"] = json!(0);
    cob["loc"] = json!({ "id": 789, "location": "pix.example.com/qr/v2/9d36b84f", "tipoCob": "cob" });
    cob["location"] = json!("pix.example.com/qr/v2/9d36b84f");
    cob["status"] = json!("ATIVA");
    cob["pixCopiaECola"] = json!("00020101021226830014BR.GOV.BCB.PIX2561pix.example.com/qr/v2/9d36b84f6304ABCD");
    cob
}

/// EFI's documented `GET /v2/cob/:txid` of a paid charge (note `expiracao` as a string).
fn paid_cob(txid: &str) -> Value {
    json!({
        "status": "CONCLUIDA",
        "calendario": { "criacao": "2020-09-09T20:15:00.358Z", "expiracao": "3600" },
        "location": "qrcodes-pix.gerencianet.com.br/1dd7f893-a58e-4172-8702-8dc33e21a403",
        "txid": txid,
        "revisao": 1,
        "devedor": { "cnpj": "12345678000195", "nome": "Empresa de Serviços SA" },
        "valor": { "original": "100.00" },
        "chave": "40a0932d-1918-4eee-845d-35a2da1690dc",
        "solicitacaoPagador": "Informe o número ou identificador do pedido.",
        "pix": [{
            "endToEndId": "E12345678202009091221kkkkkkkkkkk",
            "txid": txid,
            "valor": "110.00",
            "horario": "2020-09-09T20:15:00.358Z",
            "infoPagador": "0123456789",
            "devolucoes": [{
                "id": "123ABC",
                "rtrId": "Dxxxxxxxx202009091221kkkkkkkkkkk",
                "valor": "10.00",
                "horario": { "solicitacao": "2020-09-09T20:15:00.358Z" },
                "status": "EM_PROCESSAMENTO"
            }]
        }]
    })
}
