//! A second gateway instance of a [`TestApp`]: the same database and Redis keys, its own limiter,
//! caches and pool, as another server behind the same load balancer would have.

use std::net::TcpListener;

use balcao_core::Core;
use balcao_core::config::Config;
use balcao_gateway::{AppState, http_server, runtime};

use crate::TestApp;

/// A second server of a [`TestApp`]; stops when dropped.
pub struct Instance {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Its own core handles (its own limiter, caches and pool).
    pub core: Core,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        tokio::spawn(async move { handle.stop(false).await });
    }
}

impl TestApp {
    /// Another server on the same database and Redis keys, as a second gateway instance would
    /// be; `overrides` change its settings. It stops when the returned handle is dropped.
    pub async fn another_instance(&self, overrides: &[(&str, &str)]) -> Instance {
        let mut vars = self.settings.clone();
        for (k, v) in overrides {
            vars.insert((*k).to_owned(), (*v).to_owned());
        }
        let config = Config::from_map(&vars).expect("instance configuration");
        let options =
            runtime::CoreOptions { cache_prefix: self.cache_prefix.clone(), prepare: false, query_counter: None };
        let core = runtime::core_with(config, options).await.expect("instance core");
        let state = AppState::new(core.clone()).expect("instance state");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = http_server(state, listener).expect("server");
        let handle = server.handle();
        tokio::spawn(server);
        Instance { base: format!("http://127.0.0.1:{port}"), core, handle }
    }
}
