//! `mdl plan` against small fake AWS endpoints on 127.0.0.1, through the real
//! binary, with a fake HOME: credentials resolved from an SSO cached token
//! (the SSO portal faked through `AWS_ENDPOINT_URL_SSO`) and from a
//! `credential_process` script; each credentials failure with its advice; a
//! server that accepts and never answers (timeouts, and SIGTERM while
//! waiting); answers that are not AWS's (an HTML page with HTTP 500, plain
//! text). No network beyond 127.0.0.1: instance metadata is disabled and
//! every endpoint is local.
//!
//! The spec pins `account = "123456789012"` and the fake STS answers for
//! 999999999999 with the caller's access key id in its ARN, so every
//! successful resolution ends, before any change, in E0601 naming the key
//! the credentials provider produced.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How the fake server answers.
#[derive(Clone, Copy)]
enum Behaviour {
    /// SSO GetRoleCredentials, STS GetCallerIdentity (and AssumeRole refused).
    Aws,
    /// Accept, read, never answer.
    Silent,
    /// HTTP 500 with an HTML page.
    Html500,
    /// HTTP 200 with plain text.
    PlainText,
}

/// A fake endpoint on a free port; `connections` tells when one arrives.
struct Fake {
    url: String,
    connections: mpsc::Receiver<()>,
}

fn fake(behaviour: Behaviour) -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let (tell, connections) = mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            let _ = tell.send(());
            match behaviour {
                Behaviour::Silent => held.push(stream),
                _ => {
                    std::thread::spawn(move || serve(stream, behaviour));
                }
            }
        }
    });
    Fake { url, connections }
}

/// Read one request (headers and body) and answer it; keep-alive requests loop.
fn serve(stream: TcpStream, behaviour: Behaviour) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut stream = stream;
    loop {
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            head.push(line.trim_end().to_string());
        }
        let length = head
            .iter()
            .find_map(|h| {
                h.to_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0))
            })
            .unwrap_or(0usize);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (status, content_type, text) = answer(behaviour, &head, &String::from_utf8_lossy(&body));
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{text}",
            text.len()
        );
        if stream.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

fn answer(behaviour: Behaviour, head: &[String], body: &str) -> (&'static str, &'static str, String) {
    match behaviour {
        Behaviour::Html500 => (
            "500 Internal Server Error",
            "text/html",
            "<html><body><h1>Proxy error</h1></body></html>".into(),
        ),
        Behaviour::PlainText => ("200 OK", "text/plain", "hello from a web server".into()),
        Behaviour::Silent => unreachable!("a silent server never answers"),
        Behaviour::Aws => aws_answer(head, body),
    }
}

fn aws_answer(head: &[String], body: &str) -> (&'static str, &'static str, String) {
    let request_line = head.first().cloned().unwrap_or_default();
    if request_line.starts_with("GET /federation/credentials") {
        let expiration = (std::time::SystemTime::now() + Duration::from_secs(3600))
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let json = format!(
            r#"{{"roleCredentials":{{"accessKeyId":"ASIAFROMSSOPORTAL","secretAccessKey":"s","sessionToken":"t","expiration":{expiration}}}}}"#
        );
        return ("200 OK", "application/json", json);
    }
    if body.contains("Action=AssumeRole") && body.contains("role%2Ftrusted") {
        let xml = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAASSUMEDROLE</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/trusted/mdl</Arn><AssumedRoleId>AROA:mdl</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>"#;
        return ("200 OK", "text/xml", xml.into());
    }
    if body.contains("Action=AssumeRole") {
        let xml = r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/base is not authorized to perform: sts:AssumeRole</Message></Error><RequestId>1</RequestId></ErrorResponse>"#;
        return ("403 Forbidden", "text/xml", xml.into());
    }
    if body.contains("Action=GetCallerIdentity") {
        let key = head
            .iter()
            .find_map(|h| h.split("Credential=").nth(1))
            .and_then(|c| c.split('/').next())
            .unwrap_or("unsigned")
            .to_string();
        let xml = format!(
            r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::999999999999:assumed-role/{key}</Arn><UserId>x</UserId><Account>999999999999</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"#
        );
        return ("200 OK", "text/xml", xml);
    }
    ("400 Bad Request", "text/plain", format!("unexpected request: {request_line}"))
}

/// The test spec with `account = "123456789012"`, in a fresh folder.
fn spec(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mdl-fake-aws-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    for file in ["platform.mdl", "dev.mdl", "prod.mdl"] {
        let text = std::fs::read_to_string(Path::new("tests/deploy/spec").join(file)).expect("spec");
        let text = text.replacen(
            "region      = us_east_1",
            "region      = us_east_1\n  account     = \"123456789012\"",
            1,
        );
        std::fs::write(dir.join(file), text).expect("write");
    }
    dir
}

/// A home with ~/.aws/config (SSO, credential_process, assumed-role
/// profiles) and the SSO token cache.
fn home(dir: &Path) -> PathBuf {
    let home = dir.join("home");
    let aws = home.join(".aws");
    std::fs::create_dir_all(aws.join("sso/cache")).expect("dirs");
    let helper = home.join("helper.sh");
    std::fs::write(&helper, "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIAFROMPROCESS\", \"SecretAccessKey\": \"s\"}'\n").expect("helper");
    let broken = home.join("broken.sh");
    std::fs::write(&broken, "#!/bin/sh\necho 'the vault is sealed' >&2\nexit 3\n").expect("broken");
    for script in [&helper, &broken] {
        let _ = Command::new("chmod").arg("+x").arg(script).status();
    }
    let config = format!(
        "[profile sso-dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Deployer\nregion = us-east-1\n\n\
         [sso-session corp]\nsso_start_url = https://corp.example.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n\n\
         [profile sso-stale]\nsso_session = stale\nsso_account_id = 123456789012\nsso_role_name = Deployer\n\n\
         [sso-session stale]\nsso_start_url = https://corp.example.com/start\nsso_region = us-east-1\n\n\
         [profile helper]\ncredential_process = {}\n\n\
         [profile broken-helper]\ncredential_process = {}\n\n\
         [profile assumer]\nrole_arn = arn:aws:iam::123456789012:role/deploy\nsource_profile = base\n\n\
         [profile base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n",
        helper.display(),
        broken.display()
    );
    std::fs::write(aws.join("config"), config).expect("config");
    for (session, expires) in [("corp", "2099-01-01T00:00:00Z"), ("stale", "2001-01-01T00:00:00Z")] {
        let token = format!(
            r#"{{"accessToken":"token-{session}","expiresAt":"{expires}","region":"us-east-1","startUrl":"https://corp.example.com/start"}}"#
        );
        std::fs::write(aws.join("sso/cache").join(format!("{}.json", sha1_hex(session))), token)
            .expect("token");
    }
    home
}

/// The SSO cache file name: the SHA-1 of the session name, as the AWS CLI writes it.
fn sha1_hex(text: &str) -> String {
    let mut child =
        Command::new("sha1sum").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("sha1sum");
    child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("write");
    let out = child.wait_with_output().expect("sha1sum runs");
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap_or_default().to_string()
}

struct Run {
    code: i32,
    stderr: String,
}

/// `mdl plan dev.mdl` with a clean AWS environment, `home` as HOME, every
/// endpoint at `url`, and short timeouts.
fn plan(dir: &Path, home: &Path, url: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mdl"));
    command
        .args([
            "plan",
            "dev.mdl",
            "--endpoint-url",
            url,
            "--connect-timeout",
            "2",
            "--read-timeout",
            "2",
            "--operation-timeout",
            "4",
        ])
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL_SSO", url)
        .env("AWS_ENDPOINT_URL_STS", url)
        .env("AWS_MAX_ATTEMPTS", "2");
    for key in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_ENDPOINT_URL",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
    ] {
        command.env_remove(key);
    }
    for (key, value) in env {
        command.env(key, value);
    }
    let child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("mdl runs");
    finish(child)
}

/// Wait for mdl, failing (not hanging) if it never ends.
fn finish(mut child: std::process::Child) -> Run {
    let mut stderr = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let mut waited = Duration::ZERO;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if waited > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("mdl did not end: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
        waited += Duration::from_millis(20);
    };
    Run { code: status.code().unwrap_or(-1), stderr: reader.join().unwrap_or_default() }
}

#[test]
fn an_sso_profile_resolves_through_the_cached_token_and_the_portal() {
    let server = fake(Behaviour::Aws);
    let dir = spec("sso");
    let run = plan(&dir, &home(&dir), &server.url, &["--profile", "sso-dev"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("E0601"), "{}", run.stderr);
    assert!(
        run.stderr.contains("assumed-role/ASIAFROMSSOPORTAL"),
        "STS was signed with the portal's keys: {}",
        run.stderr
    );
}

#[test]
fn an_environment_profile_setting_is_used_when_no_flag_names_one() {
    let server = fake(Behaviour::Aws);
    let dir = spec_with("setting", "profile     = \"helper\"");
    let run = plan(&dir, &home(&dir), &server.url, &[], &[]);
    assert!(run.stderr.contains("assumed-role/AKIAFROMPROCESS"), "{}", run.stderr);
}

/// The test spec with a line added to dev.mdl's environment.
fn spec_with(name: &str, line: &str) -> PathBuf {
    let dir = spec(name);
    let dev = dir.join("dev.mdl");
    let text = std::fs::read_to_string(&dev).expect("dev");
    let text = text.replacen("label       = \"blue\"", &format!("label       = \"blue\"\n  {line}"), 1);
    std::fs::write(&dev, text).expect("write");
    dir
}

#[test]
fn the_environments_role_is_assumed_with_the_profiles_credentials() {
    let server = fake(Behaviour::Aws);
    let dir = spec_with("role", "role        = \"arn:aws:iam::123456789012:role/trusted\"");
    let run = plan(&dir, &home(&dir), &server.url, &["--profile", "base"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("assumed-role/ASIAASSUMEDROLE"),
        "STS signed with the role's keys: {}",
        run.stderr
    );
    let refused = spec_with("refused", "role        = \"arn:aws:iam::123456789012:role/untrusted\"");
    let run = plan(&refused, &home(&refused), &server.url, &["--profile", "base"], &[]);
    assert!(run.stderr.contains("E0602"), "{}", run.stderr);
    assert!(
        run.stderr.contains("Assuming the role arn:aws:iam::123456789012:role/untrusted was refused"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_credential_process_profile_resolves_through_its_script() {
    let server = fake(Behaviour::Aws);
    let dir = spec("process");
    let run = plan(&dir, &home(&dir), &server.url, &["--profile", "helper"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("assumed-role/AKIAFROMPROCESS"), "{}", run.stderr);
}

#[test]
fn each_credentials_failure_gets_its_own_advice() {
    let server = fake(Behaviour::Aws);
    let dir = spec("failures");
    let home = home(&dir);
    let cases: [(&str, &str); 5] = [
        ("sso-stale", "aws sso login --profile sso-stale"),
        ("no-such-profile", "The profile `no-such-profile` is in neither"),
        ("broken-helper", "The `credential_process` command of the profile `broken-helper` failed"),
        ("assumer", "Assuming the role arn:aws:iam::123456789012:role/deploy was refused"),
        ("", "No AWS credentials were found"),
    ];
    for (profile, advice) in cases {
        let args: Vec<&str> = if profile.is_empty() { vec![] } else { vec!["--profile", profile] };
        let run = plan(&dir, &home, &server.url, &args, &[]);
        assert_eq!(run.code, 1, "{profile}: {}", run.stderr);
        assert!(run.stderr.contains("E0602"), "{profile}: {}", run.stderr);
        assert!(run.stderr.contains(advice), "{profile}: {}", run.stderr);
        assert!(!run.stderr.contains("E0601"), "{profile}: resolution must fail: {}", run.stderr);
    }
}

#[test]
fn an_sso_portal_that_does_not_answer_is_a_network_problem() {
    let silent = fake(Behaviour::Silent);
    let dir = spec("portal");
    let run = plan(
        &dir,
        &home(&dir),
        "http://127.0.0.1:9",
        &["--profile", "sso-dev"],
        &[("AWS_ENDPOINT_URL_SSO", &silent.url)],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("E0602") && run.stderr.contains("A credentials service did not answer"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_stalled_endpoint_times_out_naming_it() {
    let silent = fake(Behaviour::Silent);
    let dir = spec("stalled");
    let run = plan(
        &dir,
        &home(&dir),
        &silent.url,
        &[],
        &[("AWS_ACCESS_KEY_ID", "AKIA"), ("AWS_SECRET_ACCESS_KEY", "s")],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("E0603"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("no answer from {}", silent.url)), "{}", run.stderr);
    assert!(
        run.stderr.contains("--connect-timeout, --read-timeout and --operation-timeout"),
        "{}",
        run.stderr
    );
}

#[test]
fn sigterm_while_waiting_for_aws_stops_at_once_and_says_nothing_was_applied() {
    let silent = fake(Behaviour::Silent);
    let dir = spec("sigterm");
    let mut command = Command::new(env!("CARGO_BIN_EXE_mdl"));
    command
        .args([
            "plan",
            "dev.mdl",
            "--endpoint-url",
            &silent.url,
            "--read-timeout",
            "600",
            "--operation-timeout",
            "600",
        ])
        .current_dir(&dir)
        .env("HOME", home(&dir))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "AKIA")
        .env("AWS_SECRET_ACCESS_KEY", "s")
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = command.spawn().expect("mdl runs");
    silent.connections.recv_timeout(Duration::from_secs(60)).expect("mdl connects");
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill runs");
    assert!(killed.success());
    let run = finish(child);
    assert_eq!(run.code, 130, "{}", run.stderr);
    assert!(run.stderr.contains("E0610") && run.stderr.contains("nothing was applied"), "{}", run.stderr);
}

#[test]
fn answers_that_are_not_aws_answers_are_explained_without_sdk_internals() {
    for (behaviour, status) in [(Behaviour::Html500, "HTTP 500"), (Behaviour::PlainText, "HTTP 200")] {
        let server = fake(behaviour);
        let dir = spec("html");
        let run = plan(
            &dir,
            &home(&dir),
            &server.url,
            &[],
            &[("AWS_ACCESS_KEY_ID", "AKIA"), ("AWS_SECRET_ACCESS_KEY", "s"), ("AWS_MAX_ATTEMPTS", "1")],
        );
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(run.stderr.contains("E0605"), "{}", run.stderr);
        assert!(run.stderr.contains(&format!("{} answered with {status}", server.url)), "{}", run.stderr);
        for internal in ["ServiceError", "Unhandled", "ResponseError", "DispatchFailure", "source:"] {
            assert!(!run.stderr.contains(internal), "{internal}: {}", run.stderr);
        }
    }
}
