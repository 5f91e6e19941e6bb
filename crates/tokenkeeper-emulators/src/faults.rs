//! Injected faults: what tests queue with `Emulator::push_fault`, and the queue that hands them out
//! to the next matching requests, in order. How each action is answered lives in `inject.rs`.

use std::collections::VecDeque;
use std::time::Duration;

/// A fault to apply to the next `times` requests matching `target`.
#[derive(Clone, Debug)]
pub struct Fault {
    pub target: FaultTarget,
    pub times: usize,
    pub action: FaultAction,
}

impl Fault {
    /// A fault for the next matching request only.
    pub fn once(target: FaultTarget, action: FaultAction) -> Self {
        Fault {
            target,
            times: 1,
            action,
        }
    }
}

/// Which requests a fault applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FaultTarget {
    /// The API's login endpoint (Redis authorize, ECE _login, Smartling authenticate, JWT Auth Pro token).
    Login,
    /// The API's refresh endpoint.
    Refresh,
    /// Any request, whatever its path.
    Any,
}

/// What a faulted request gets instead of the normal answer.
#[derive(Clone, Debug)]
pub enum FaultAction {
    /// A raw answer, e.g. a documented error.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// The API's own documented error body for that status (its format and code).
    ApiError { status: u16 },
    /// As [`FaultAction::ApiError`], with `code` as the error code (Redis `error_code`, ECE
    /// `errors[0].code` and `x-cloud-error-codes`, Smartling `response.code`, generic
    /// `error.code`, JWT Auth Pro `code`), e.g. Smartling's 401 `ACCESS_DENIED_ERROR`.
    ApiErrorCode { status: u16, code: String },
    /// As [`FaultAction::ApiError`], with `message` as the error message wherever the API's
    /// body has one (Redis `message`, ECE `errors[0].message`, Smartling
    /// `response.errors[0].message`, generic `message` or `error.message`, JWT Auth Pro
    /// `message`): words a hostile or broken server chose.
    ApiErrorMessage { status: u16, message: String },
    /// Sleep, then answer normally.
    Delay(Duration),
    /// Handle the request normally (a refresh token is consumed and rotated), then sleep before
    /// answering: a client killed meanwhile never learns the new token.
    DelayAfter(Duration),
    /// Close the connection without an answer.
    Drop,
    /// 200 with a non-JSON body.
    Garbage,
    /// An HTML error page from a "proxy" (content-type text/html).
    Html { status: u16 },
    /// 200, the JSON success body cut in half.
    Truncated,
    /// 200, valid JSON without the token field.
    MissingToken,
    /// 200, the token field is not a JWT ("abc").
    NotJwt,
    /// 200, a 2 MiB JSON body, streamed.
    Huge,
    /// Handle the request normally (a refresh really consumes the presented refresh token and
    /// rotates: the new one is current on the server), then answer the same JSON with the access
    /// token field set to `"abc"`; the new refresh token stays in the body. A non-2xx answer of
    /// the handler passes unchanged.
    RotateThenNotJwt,
    /// As [`FaultAction::RotateThenNotJwt`], with the access token field set to this text
    /// (e.g. one with a line break, which no bearer token has).
    RotateThenToken(String),
    /// As [`FaultAction::RotateThenNotJwt`], but the access token field is removed.
    RotateThenMissingToken,
}

/// Which kind of endpoint a request hit (for matching fault targets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Login,
    Refresh,
    Other,
}

impl FaultTarget {
    fn matches(self, endpoint: Endpoint) -> bool {
        match self {
            FaultTarget::Any => true,
            FaultTarget::Login => endpoint == Endpoint::Login,
            FaultTarget::Refresh => endpoint == Endpoint::Refresh,
        }
    }
}

/// Queued faults with the number of uses each has left.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    queue: VecDeque<(Fault, usize)>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, fault: Fault) {
        if fault.times > 0 {
            let times = fault.times;
            self.queue.push_back((fault, times));
        }
    }

    pub(crate) fn clear(&mut self) {
        self.queue.clear();
    }

    /// The action for a request to `endpoint`, consuming one use of the first matching fault.
    pub(crate) fn take(&mut self, endpoint: Endpoint) -> Option<FaultAction> {
        let index = self
            .queue
            .iter()
            .position(|(fault, _)| fault.target.matches(endpoint))?;
        let (fault, left) = self.queue.get_mut(index)?;
        let action = fault.action.clone();
        *left -= 1;
        if *left == 0 {
            self.queue.remove(index);
        }
        Some(action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_apply_in_order_to_matching_requests() {
        let mut q = FaultQueue::default();
        q.push(Fault {
            target: FaultTarget::Refresh,
            times: 2,
            action: FaultAction::Garbage,
        });
        q.push(Fault::once(FaultTarget::Any, FaultAction::Drop));
        q.push(Fault {
            target: FaultTarget::Login,
            times: 0,
            action: FaultAction::Huge,
        });
        assert!(matches!(q.take(Endpoint::Login), Some(FaultAction::Drop)));
        assert!(q.take(Endpoint::Login).is_none());
        assert!(q.take(Endpoint::Other).is_none());
        assert!(matches!(
            q.take(Endpoint::Refresh),
            Some(FaultAction::Garbage)
        ));
        assert!(matches!(
            q.take(Endpoint::Refresh),
            Some(FaultAction::Garbage)
        ));
        assert!(q.take(Endpoint::Refresh).is_none());
    }
}
