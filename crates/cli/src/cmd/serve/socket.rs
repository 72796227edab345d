//! The command table over one WebSocket per page: the same commands as `POST /api`, without
//! a browser's cost of a request. In Chromium every `fetch` costs about 3 ms before the server
//! sees it, whoever answers; a message on an open socket about 0.5 ms.
//!
//! The page sends `{"id": N, "request": {…}}` and gets `{"id": N, "response": {…}}`, or
//! `{"id": N, "error": …, "kind": …, "status": …}` with the status `POST /api` would have
//! answered. Each message runs as a task of its own and answers when done, so a slow count
//! never holds up the page asked after it; the ids pair the answers with their questions.

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response as HttpResponse;
use invlog_app::{ErrorKind, Request, Response};
use serde::{Deserialize, Serialize};

use super::{answer, refuse, token_matches, AppState, Refusal, TokenQuery};

/// Far above any command's request (the largest name a few hundred paths); a page that sends
/// more is not the UI.
const LARGEST_REQUEST: usize = 1 << 20;

/// Opens the socket for a page of this server: a browser cannot send headers with a
/// WebSocket, so the token comes in the query, and the Origin header must name this server,
/// as the Host header must (a page of another origin never gets its own socket here, even if it
/// guessed the token).
pub(super) async fn open(
    State(state): State<AppState>,
    Query(q): Query<TokenQuery>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> HttpResponse {
    if !token_matches(q.token.as_deref(), &state.token) {
        return refuse(StatusCode::UNAUTHORIZED, "missing or wrong token");
    }
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
    let ours = origin
        .and_then(|o| o.strip_prefix("http://"))
        .is_some_and(|host| state.hosts.iter().any(|h| h == host));
    if !ours {
        return refuse(
            StatusCode::FORBIDDEN,
            "a socket only for this server's page",
        );
    }
    upgrade
        .max_message_size(LARGEST_REQUEST)
        .on_upgrade(move |socket| talk(state, socket))
}

#[derive(Deserialize)]
struct Asked {
    id: u64,
    request: serde_json::Value,
}

#[derive(Serialize)]
struct Answered<'a> {
    id: u64,
    response: &'a Response,
}

#[derive(Serialize)]
struct Failed<'a> {
    id: u64,
    error: &'a str,
    kind: Option<ErrorKind>,
    status: u16,
}

/// Reads the page's commands until it closes the socket or the server stops.
async fn talk(state: AppState, mut socket: WebSocket) {
    let (answers, mut answered) = tokio::sync::mpsc::unbounded_channel::<String>();
    let mut stopping = state.stopping.clone();
    loop {
        tokio::select! {
            message = socket.recv() => {
                let text = match message {
                    Some(Ok(Message::Text(text))) => text,
                    // Pings are answered by the socket itself; a pong or a binary message
                    // carries no command.
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Binary(_))) => continue,
                    Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                };
                let Ok(asked) = serde_json::from_str::<Asked>(&text) else {
                    // Without an id no answer can find its question: not the UI speaking.
                    let _ = socket.send(close("every message needs an id and a request")).await;
                    return;
                };
                let state = state.clone();
                let answers = answers.clone();
                tokio::spawn(async move {
                    let _ = answers.send(reply(&state, asked));
                });
            }
            Some(text) = answered.recv() => {
                if socket.send(Message::Text(text.into())).await.is_err() {
                    return;
                }
            }
            () = async { drop(stopping.wait_for(|s| *s).await) } => {
                let _ = socket.send(close("the server is stopping")).await;
                return;
            }
        }
    }
}

fn close(reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code: axum::extract::ws::close_code::POLICY,
        reason: reason.into(),
    }))
}

/// The answer to one message, as its JSON text.
fn reply(state: &AppState, asked: Asked) -> String {
    let outcome = serde_json::from_value::<Request>(asked.request)
        .map_err(|e| Refusal {
            status: StatusCode::BAD_REQUEST,
            message: format!("not a command of this server: {e}"),
            kind: Some(ErrorKind::InvalidInput),
        })
        .and_then(|request| answer(state, request));
    let text = match &outcome {
        Ok(response) => serde_json::to_string(&Answered {
            id: asked.id,
            response,
        }),
        Err(refusal) => serde_json::to_string(&Failed {
            id: asked.id,
            error: &refusal.message,
            kind: refusal.kind,
            status: refusal.status.as_u16(),
        }),
    };
    text.unwrap_or_else(|e| {
        let failed = Failed {
            id: asked.id,
            error: &format!("the answer could not be written: {e}"),
            kind: Some(ErrorKind::Internal),
            status: StatusCode::INTERNAL_SERVER_ERROR.as_u16(),
        };
        serde_json::to_string(&failed).unwrap_or_default()
    })
}
