//! The edge of `qm serve`'s HTTP: a JSON answer with its status, and the extractors that read a
//! request's path and body into typed values. Every refusal, axum's own included (a path that
//! does not parse, a body over the limit, no such route, a method a route does not take), is
//! JSON `{"error": "…"}` with its status, so that a client reads one shape.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// The largest request body: an order of a thousand lines fits.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The refusal of a body over [`MAX_BODY_BYTES`], with the limit.
fn too_large() -> Answer {
    let (bytes, kib) = (MAX_BODY_BYTES, MAX_BODY_BYTES / 1024);
    let error = format!("the body is over {bytes} bytes ({kib} KiB), the most a request may send");
    refused(StatusCode::PAYLOAD_TOO_LARGE, error)
}

/// A JSON answer with its status.
pub struct Answer(pub StatusCode, pub Value);

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        (self.0, Json(self.1)).into_response()
    }
}

/// `{"error": error}` with `status`.
pub fn refused(status: StatusCode, error: impl std::fmt::Display) -> Answer {
    Answer(status, json!({ "error": error.to_string() }))
}

/// A request's path parameters; one that does not parse is refused with 400.
pub struct PathOf<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathOf<T> {
    type Rejection = Answer;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Answer> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(PathOf(value)),
            Err(rejection) => Err(refused(rejection.status(), rejection.body_text())),
        }
    }
}

/// A request's JSON body: one over the size limit is refused with 413, one that does not parse
/// with 400 naming the field, the line and the column.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = Answer;

    async fn from_request(request: Request, state: &S) -> Result<Self, Answer> {
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => too_large(),
                    status => refused(status, rejection.body_text()),
                })?;
        from_json(&bytes)
            .map(Body)
            .map_err(|e| refused(StatusCode::BAD_REQUEST, e))
    }
}

/// `bytes` read as one JSON `T`; a refusal names the field it stopped at (`lines[0].quantity:
/// invalid value: integer `-2`, expected u64 at line 1 column 95`), the document's place alone
/// when the fault is not in a field (a syntax error, trailing characters).
fn from_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let mut json = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut json).map_err(|e| {
        let path = e.path().to_string();
        match path.as_str() {
            "." => e.into_inner().to_string(),
            _ => format!("{path}: {}", e.into_inner()),
        }
    })?;
    json.end().map_err(|e| e.to_string())?;
    Ok(value)
}

/// A request no route takes.
pub async fn no_route(method: Method, uri: Uri) -> Answer {
    refused(StatusCode::NOT_FOUND, format!("no route {method} {uri}"))
}

/// A route asked with a method it does not take.
pub async fn wrong_method(method: Method, uri: Uri) -> Answer {
    refused(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{uri} does not take {method}"),
    )
}
