//! The docs page: a pinned viewer served by the binary, the spec by URL, nothing from elsewhere,
//! and a real headless browser that renders the operations without internet.

use std::time::Duration;

use balcao_tests::{TestApp, assert_problem};
use reqwest::{Method, StatusCode};
use sha2::{Digest, Sha256};

const ASSETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../apps/gateway/assets");

/// The pinned viewer's version, as committed beside the bundle.
fn pinned_version() -> String {
    std::fs::read_to_string(format!("{ASSETS}/scalar/VERSION")).unwrap().trim().to_owned()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
}

#[tokio::test]
async fn docs_page_loads_only_from_this_server() {
    let app = TestApp::spawn().await;
    let version = pinned_version();
    assert_eq!(balcao_gateway::platform::viewer_version(), version);

    let page = app.request(Method::GET, "/docs", None).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(header(&page, "content-type").starts_with("text/html"));
    let csp = header(&page, "content-security-policy");
    for directive in ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "font-src 'self'"] {
        assert!(csp.contains(directive), "CSP has {directive}: {csp}");
    }
    let html = page.text().await.unwrap();
    // No absolute or protocol-relative URL at all: every load is same-origin.
    assert!(!html.contains("//"), "the page names no other origin:\n{html}");
    assert!(html.contains(&format!(r#"<script src="/docs/assets/scalar-{version}.js"></script>"#)), "{html}");
    assert!(html.contains(r#"data-url="/openapi.json""#), "the spec is loaded by URL, not inlined:\n{html}");
    assert!(html.contains(r#""withDefaultFonts": false"#), "{html}");
    assert!(html.len() < 4096, "the spec is not inlined ({} bytes)", html.len());
}

#[tokio::test]
async fn viewer_asset_is_the_pinned_bundle_cached_for_good() {
    let app = TestApp::spawn().await;
    let version = pinned_version();
    let path = format!("/docs/assets/scalar-{version}.js");

    let asset = app.request(Method::GET, &path, None).send().await.unwrap();
    assert_eq!(asset.status(), StatusCode::OK);
    assert_eq!(header(&asset, "content-type"), "text/javascript; charset=utf-8");
    assert_eq!(header(&asset, "cache-control"), "public, max-age=31536000, immutable");
    assert_eq!(header(&asset, "x-content-type-options"), "nosniff");
    assert_eq!(header(&asset, "content-encoding"), "", "identity for a client that accepts no encoding");
    let body = asset.bytes().await.unwrap();
    let sha = hex::encode(Sha256::digest(&body));
    let readme = std::fs::read_to_string(format!("{ASSETS}/README.md")).unwrap();
    assert!(readme.contains(&format!("| sha256 | `{sha}` |")), "assets/README.md records sha256 {sha}");
    assert!(readme.contains(&format!("`@scalar/api-reference@{version}`")), "assets/README.md records {version}");
    let marker = format!("@scalar/api-reference@{version}");
    assert!(body.windows(marker.len()).any(|w| w == marker.as_bytes()), "the bundle is release {version}");

    let gzipped = app.request(Method::GET, &path, None).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(header(&gzipped, "content-encoding"), "gzip");
    let compressed = gzipped.bytes().await.unwrap();
    assert!(compressed.len() < body.len() / 2, "{} of {} bytes", compressed.len(), body.len());

    let other = app.request(Method::GET, "/docs/assets/scalar-0.0.1.js", None).send().await.unwrap();
    assert_problem(other, StatusCode::NOT_FOUND, "not_found").await;
}

/// Runs headless Chromium on `url` with every non-loopback host unreachable; returns (DOM, log).
async fn render_offline(url: &str) -> (String, String) {
    let profile = std::env::temp_dir().join(format!("balcao-docs-chromium-{}", uuid::Uuid::now_v7()));
    let run = tokio::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--proxy-server=127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            "--virtual-time-budget=15000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(url)
        .kill_on_drop(true)
        .output();
    let output = match tokio::time::timeout(Duration::from_secs(180), run).await {
        Ok(Ok(output)) => output,
        Ok(Err(error)) => panic!(
            "cannot run `chromium` ({error}): the docs e2e test needs a headless browser; \
             install it with `apt-get install -y chromium` (CI's .ci/run does)"
        ),
        Err(_) => panic!("chromium did not finish rendering {url} within 180 s"),
    };
    let _ = std::fs::remove_dir_all(&profile);
    let log = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "chromium failed ({}):\n{log}", output.status);
    (String::from_utf8_lossy(&output.stdout).into_owned(), log)
}

#[tokio::test]
async fn docs_render_the_operations_in_a_browser_without_internet() {
    let app = TestApp::spawn().await;
    let (dom, log) = render_offline(&format!("{}/docs#tag/platform/GET/health/live", app.base)).await;
    for expected in [
        "Liveness: the process is up",
        "Readiness: PostgreSQL answers",
        "Prometheus metrics",
        r##"href="#tag/platform/GET/health/live""##,
        r##"href="#tag/platform/GET/docs/assets/{file}""##,
    ] {
        assert!(dom.contains(expected), "the rendered page shows {expected:?}:\n{}", excerpt(&dom));
    }
    // The sidebar lists every tag of the served document, so the spec was fetched and parsed.
    let doc = balcao_gateway::openapi();
    for tag in doc.tags.iter().flatten() {
        let link = format!(r##"href="#tag/{}""##, tag.name);
        assert!(dom.contains(&link), "the sidebar links {link}:\n{}", excerpt(&dom));
    }
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(
        console.iter().all(|l| ["Content Security Policy", "Refused to", "net::ERR_"].iter().all(|m| !l.contains(m))),
        "the viewer neither breaks the CSP nor reaches for another origin:\n{}",
        console.join("\n")
    );
}

/// The page's text without the viewer's inline stylesheet, shortened for a failure message.
fn excerpt(dom: &str) -> &str {
    let body = dom.find("<body").map_or(dom, |start| &dom[start..]);
    &body[..body.len().min(4000)]
}
