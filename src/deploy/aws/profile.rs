//! What the selected AWS profile is made of, read with the SDK's own profile
//! parser: tells a missing profile before any call, and which advice fits a
//! credentials failure (SSO, a credential process, an assumed role).

use std::borrow::Cow;

use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};

use crate::deploy::errors::{ApiError, CredentialCause, Failure};

/// How the selected profile gets its credentials.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Source {
    /// IAM Identity Center: a cached SSO token.
    Sso,
    /// An external `credential_process` command.
    Process,
    /// `role_arn` assumed from a source profile or credential source.
    AssumeRole(String),
    /// Keys in the profile, or anything else.
    #[default]
    Other,
}

/// The selected profile: its name (when one was named) and its source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileInfo {
    pub name: Option<String>,
    pub source: Source,
}

impl ProfileInfo {
    /// Read ~/.aws/config and ~/.aws/credentials. A profile named by `named`
    /// or AWS_PROFILE that is in neither is an error; unreadable or absent
    /// files leave the standard chain to decide.
    pub async fn load(named: Option<&str>) -> Result<ProfileInfo, ApiError> {
        let env = Env::real();
        let explicit =
            named.map(str::to_string).or_else(|| env.get("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
        let set = aws_config::profile::load(
            &Fs::real(),
            &env,
            &EnvConfigFiles::default(),
            named.map(|n| Cow::Owned(n.to_string())),
        )
        .await;
        let Ok(set) = set else { return Ok(ProfileInfo { name: explicit, source: Source::Other }) };
        let selected = set.selected_profile().to_string();
        let Some(profile) = set.get_profile(&selected) else {
            return match explicit {
                Some(name) => {
                    let known = set.profiles().map(str::to_string).collect();
                    let cause = CredentialCause::MissingProfile { profile: name.clone(), known };
                    Err(ApiError::other(Failure::Credentials(cause), format!("profile {name} not found")))
                }
                None => Ok(ProfileInfo::default()),
            };
        };
        let source = if profile.get("sso_session").is_some() || profile.get("sso_start_url").is_some() {
            Source::Sso
        } else if profile.get("credential_process").is_some() {
            Source::Process
        } else if let Some(role) = profile.get("role_arn") {
            Source::AssumeRole(role.to_string())
        } else {
            Source::Other
        };
        Ok(ProfileInfo { name: Some(selected), source })
    }

    /// The profile's name for messages.
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| "default".into())
    }
}
