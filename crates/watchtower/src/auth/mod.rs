//! Who is asking, and what a client that keeps presenting wrong credentials gets:
//! the client's address behind trusted proxies, and the throttle on failures.

mod address;
mod throttle;

pub use address::TrustedProxies;
pub use throttle::{Failure, Throttle};
