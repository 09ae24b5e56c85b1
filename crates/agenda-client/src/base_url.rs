//! [`BaseUrl`]: the address of the remote service, validated once at the edge.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use reqwest::Url;
use serde::{Serialize, Serializer};

/// Why an address typed in the settings cannot be used. Messages are Italian: they are shown
/// to the operator as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaseUrlError {
    /// Nothing was typed.
    #[error(
        "indirizzo del servizio mancante: inserire un indirizzo come https://agenda.esempio.it"
    )]
    Empty,
    /// Not a URL at all.
    #[error("indirizzo del servizio non valido ({reason}): inserire un indirizzo come https://agenda.esempio.it")]
    Malformed {
        /// What the URL parser said.
        reason: String,
    },
    /// A scheme other than `https` (or `http` on loopback).
    #[error(
        "indirizzo del servizio non valido: deve iniziare con https:// (trovato «{scheme}://»)"
    )]
    UnsupportedScheme {
        /// The scheme found.
        scheme: String,
    },
    /// Plain `http` towards another machine: the connection would not be encrypted.
    #[error(
        "connessione non cifrata verso «{host}» non consentita: usare https://. \
         Il protocollo http è ammesso solo verso questo computer (localhost, 127.0.0.1, ::1)"
    )]
    InsecureRemote {
        /// The host that was not loopback.
        host: String,
    },
    /// `user:password@` inside the URL.
    #[error("l'indirizzo del servizio non deve contenere nome utente o password")]
    HasCredentials,
    /// `?query` or `#fragment` inside the URL.
    #[error("l'indirizzo del servizio non deve contenere parametri (?…) né frammenti (#…)")]
    HasQueryOrFragment,
}

impl BaseUrlError {
    /// Stable machine word for the UI.
    pub fn code(&self) -> &'static str {
        "invalid_base_url"
    }
}

/// The root address of a service that honours the contract, e.g. `https://agenda.esempio.it`
/// or `http://127.0.0.1:8080` for the embedded sandbox.
///
/// `https` is required unless the host is a loopback address (`127.0.0.0/8`, `::1`,
/// `localhost`). The API lives under `/api/v1` below this root; an address that already ends
/// with `/api/v1` is accepted and not doubled.
#[derive(Clone, PartialEq, Eq)]
pub struct BaseUrl(Url);

impl BaseUrl {
    /// Parses and validates an address typed by the operator or read from the settings.
    pub fn parse(input: &str) -> Result<Self, BaseUrlError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(BaseUrlError::Empty);
        }
        let mut url = Url::parse(input).map_err(|e| BaseUrlError::Malformed {
            reason: e.to_string(),
        })?;
        match url.scheme() {
            "https" => {}
            "http" => {
                if !is_loopback(&url) {
                    return Err(BaseUrlError::InsecureRemote {
                        host: url.host_str().unwrap_or_default().to_owned(),
                    });
                }
            }
            other => {
                return Err(BaseUrlError::UnsupportedScheme {
                    scheme: other.to_owned(),
                })
            }
        }
        if url.host_str().unwrap_or_default().is_empty() {
            return Err(BaseUrlError::Malformed {
                reason: "manca il nome del server".to_owned(),
            });
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(BaseUrlError::HasCredentials);
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(BaseUrlError::HasQueryOrFragment);
        }
        let mut path = url.path().trim_end_matches('/').to_owned();
        if let Some(stripped) = path.strip_suffix("/api/v1") {
            path = stripped.to_owned();
        }
        path.push('/');
        url.set_path(&path);
        Ok(Self(url))
    }

    /// The root address, always ending with `/`.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Whether the service runs on this machine (loopback address).
    pub fn is_loopback(&self) -> bool {
        is_loopback(&self.0)
    }

    /// The URL of an API endpoint: `/api/v1/` followed by `segments`, each percent-encoded.
    pub fn endpoint(&self, segments: &[&str]) -> Url {
        let mut url = self.0.clone();
        {
            // Cannot fail: the URL has a host, so it can be a base.
            let mut path = url
                .path_segments_mut()
                .expect("a validated base URL has a host");
            path.pop_if_empty().extend(["api", "v1"]).extend(segments);
        }
        url
    }
}

fn is_loopback(url: &Url) -> bool {
    // `Url` has already normalised the host: IPv4 in dotted form, IPv6 in brackets,
    // domains lower-cased.
    let Some(host) = url.host_str() else {
        return false;
    };
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<Ipv6Addr>().is_ok_and(ipv6_is_loopback);
    }
    if let Ok(v4) = host.parse::<Ipv4Addr>() {
        return v4.is_loopback();
    }
    let name = host.trim_end_matches('.');
    name == "localhost" || name.ends_with(".localhost")
}

fn ipv6_is_loopback(ip: Ipv6Addr) -> bool {
    ip.is_loopback()
        || ip
            .to_ipv4_mapped()
            .is_some_and(|v4: Ipv4Addr| v4.is_loopback())
}

/// Whether an IP address is loopback (used by the shell for its own checks).
pub fn ip_is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => ipv6_is_loopback(v6),
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaseUrl({})", self.as_str())
    }
}

impl Serialize for BaseUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::str::FromStr for BaseUrl {
    type Err = BaseUrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Result<&str, BaseUrlError>) {
        let got = BaseUrl::parse(input);
        match (&got, &expected) {
            (Ok(url), Ok(want)) => assert_eq!(url.as_str(), *want, "input {input:?}"),
            (Err(err), Err(want)) => assert_eq!(err, want, "input {input:?}"),
            _ => panic!("input {input:?}: got {got:?}, expected {expected:?}"),
        }
    }

    fn insecure(host: &str) -> Result<&'static str, BaseUrlError> {
        Err(BaseUrlError::InsecureRemote {
            host: host.to_owned(),
        })
    }

    #[test]
    fn https_is_accepted_anywhere_and_normalised() {
        check(
            "https://agenda.esempio.it",
            Ok("https://agenda.esempio.it/"),
        );
        check(
            " https://agenda.esempio.it/ ",
            Ok("https://agenda.esempio.it/"),
        );
        check(
            "https://agenda.esempio.it/servizi/",
            Ok("https://agenda.esempio.it/servizi/"),
        );
        check(
            "https://agenda.esempio.it/api/v1",
            Ok("https://agenda.esempio.it/"),
        );
        check(
            "https://agenda.esempio.it:8443/x/api/v1/",
            Ok("https://agenda.esempio.it:8443/x/"),
        );
    }

    #[test]
    fn plain_http_is_accepted_only_on_loopback() {
        check("http://127.0.0.1:8080", Ok("http://127.0.0.1:8080/"));
        check("http://127.9.9.9", Ok("http://127.9.9.9/"));
        check("http://[::1]:3000/", Ok("http://[::1]:3000/"));
        check("http://localhost:3000", Ok("http://localhost:3000/"));
        check("http://LOCALHOST", Ok("http://localhost/"));
        check("http://10.0.0.5", insecure("10.0.0.5"));
        check("http://192.168.1.10:8080", insecure("192.168.1.10"));
        check("http://agenda.esempio.it", insecure("agenda.esempio.it"));
        check(
            "http://localhost.esempio.it",
            insecure("localhost.esempio.it"),
        );
        check("http://[::2]", insecure("[::2]"));
    }

    #[test]
    fn other_shapes_are_refused_with_a_reason() {
        check("", Err(BaseUrlError::Empty));
        check("   ", Err(BaseUrlError::Empty));
        check(
            "ftp://agenda.esempio.it",
            Err(BaseUrlError::UnsupportedScheme {
                scheme: "ftp".to_owned(),
            }),
        );
        check(
            "https://mario:pw@agenda.esempio.it",
            Err(BaseUrlError::HasCredentials),
        );
        check(
            "https://agenda.esempio.it/?x=1",
            Err(BaseUrlError::HasQueryOrFragment),
        );
        check(
            "https://agenda.esempio.it/#a",
            Err(BaseUrlError::HasQueryOrFragment),
        );
        assert!(matches!(
            BaseUrl::parse("agenda.esempio.it"),
            Err(BaseUrlError::Malformed { .. })
        ));
    }

    #[test]
    fn endpoints_live_under_api_v1_with_encoded_segments() {
        let base = BaseUrl::parse("https://agenda.esempio.it/root").unwrap();
        assert_eq!(
            base.endpoint(&["contributors", "RSSMRA85T10A562S", "appointments"])
                .as_str(),
            "https://agenda.esempio.it/root/api/v1/contributors/RSSMRA85T10A562S/appointments"
        );
        assert_eq!(
            base.endpoint(&["appointments", "a/b c"]).as_str(),
            "https://agenda.esempio.it/root/api/v1/appointments/a%2Fb%20c"
        );
    }

    #[test]
    fn error_messages_are_italian_and_explain_what_to_do() {
        let err = BaseUrl::parse("http://agenda.esempio.it").unwrap_err();
        assert!(err.to_string().contains("usare https://"), "{err}");
        assert_eq!(err.code(), "invalid_base_url");
    }
}
