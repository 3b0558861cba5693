//! Who is asking and what they may do: API keys and their scopes, the client's
//! address behind trusted proxies, and the throttle on failed credentials.

mod address;
mod keys;
mod ring;
mod scope;
mod throttle;

pub use address::{AddressSet, TrustedProxies};
pub use keys::{Key, MintedKey, NewKey, SECRET_PREFIX, digest};
pub use ring::KeyRing;
pub use scope::{Action, Kind, Principal, Scope};
pub use throttle::{Failure, Throttle};
