//! Hover, definition and completion read the checker's resolution table:
//! `env.`, `project.` and `aws.` are answered like any other name.

use lsp_types::{
    CompletionParams, CompletionResponse, GotoDefinitionParams, GotoDefinitionResponse, HoverContents,
    HoverParams, PartialResultParams, Position, TextDocumentIdentifier, TextDocumentPositionParams, Url,
    WorkDoneProgressParams,
};

use super::state::State;
use super::{completion, navigate, position};

const PLATFORM: &str = r#"project shop {
  environments { dev, prod }
  settings {
    /// Memory of every task.
    size: memory
  }
  params = "/shop/infra"
}

construct queue {
  name: string
  resource "AWS::SQS::Queue" q { QueueName = name }
  output url = q.ref
}

layer app {
  jobs = queue { name = "${project.params}-jobs" }
  resource "AWS::SSM::Parameter" p {
    Value = "${jobs.url} ${aws.region} ${env.size}"
  }
}
"#;

const DEV: &str = "import \"./platform.mdl\"\nenvironment dev { region = us_east_1, size = 2 GB }\n";

fn url(name: &str) -> Url {
    Url::parse(&format!("file:///mdl-lsp-test/{name}")).expect("url")
}

fn documents(platform: &str) -> State {
    let mut state = State::default();
    state.set(&url("platform.mdl"), platform.to_string());
    state.set(&url("dev.mdl"), DEV.to_string());
    state.refresh();
    state
}

/// The position of the `nth` occurrence of `needle` in `text`, `shift` characters in.
fn at(text: &str, needle: &str, nth: usize, shift: usize) -> TextDocumentPositionParams {
    let offset = text.match_indices(needle).nth(nth).map(|(i, _)| i).expect("needle") + shift;
    TextDocumentPositionParams {
        text_document: TextDocumentIdentifier { uri: url("platform.mdl") },
        position: position::position(text, offset),
    }
}

fn hover(needle: &str, nth: usize, shift: usize) -> String {
    let params = HoverParams {
        text_document_position_params: at(PLATFORM, needle, nth, shift),
        work_done_progress_params: WorkDoneProgressParams::default(),
    };
    let hover = navigate::hover(&documents(PLATFORM), params).expect("a hover");
    match hover.contents {
        HoverContents::Markup(markup) => markup.value,
        other => panic!("{other:?}"),
    }
}

fn definition(needle: &str, nth: usize, shift: usize) -> Position {
    let params = GotoDefinitionParams {
        text_document_position_params: at(PLATFORM, needle, nth, shift),
        work_done_progress_params: WorkDoneProgressParams::default(),
        partial_result_params: PartialResultParams::default(),
    };
    match navigate::definition(&documents(PLATFORM), params) {
        Some(GotoDefinitionResponse::Scalar(location)) => location.range.start,
        other => panic!("{other:?}"),
    }
}

/// Completion labels with the cursor just after `typed`, written in place of `replaced`.
fn complete(replaced: &str, typed: &str) -> Vec<String> {
    let text = PLATFORM.replacen(replaced, typed, 1);
    let params = CompletionParams {
        text_document_position: at(&text, typed, 0, typed.len()),
        work_done_progress_params: WorkDoneProgressParams::default(),
        partial_result_params: PartialResultParams::default(),
        context: None,
    };
    match completion::complete(&documents(&text), params) {
        Some(CompletionResponse::Array(items)) => items.into_iter().map(|i| i.label).collect(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn hover_answers_env_project_and_aws() {
    let size = hover("size}", 0, 0);
    assert!(size.contains("size: memory") && size.contains("Type: `memory`"), "{size}");
    assert!(size.contains("Memory of every task."), "{size}");
    let params = hover("params}", 0, 0);
    assert!(params.contains("params = \"/shop/infra\"") && params.contains("Type: `string`"), "{params}");
    let region = hover("region}", 0, 0);
    assert!(region.contains("aws.region: deploy<string>") && region.contains("AWS::Region"), "{region}");
    let env = hover("env.size", 0, 1);
    assert!(env.contains("The environment being evaluated"), "{env}");
}

#[test]
fn hover_shows_an_outputs_type_and_a_params_declaration() {
    let url = hover("url}", 0, 0);
    assert!(url.contains("output url = q.ref") && url.contains("Type: `deploy<string>`"), "{url}");
    let name = hover("name = \"", 0, 0);
    assert!(name.contains("name: string") && name.contains("Type: `string`"), "{name}");
}

#[test]
fn definition_goes_to_the_project_field_and_the_setting() {
    assert_eq!(definition("params}", 0, 2), Position::new(6, 2));
    assert_eq!(definition("size}", 0, 0), Position::new(4, 4));
    assert_eq!(definition("url}", 0, 0), Position::new(12, 9));
}

#[test]
fn completion_after_a_dot_offers_what_the_checker_allows() {
    assert_eq!(
        complete("${env.size}", "${env."),
        [
            "name",
            "region",
            "account",
            "protect",
            "profile",
            "role",
            "service_role",
            "tags",
            "stack_sets",
            "size"
        ]
    );
    assert_eq!(complete("${project.params}", "${project."), ["name", "params"]);
    assert_eq!(
        complete("${aws.region}", "${aws."),
        ["region", "account_id", "partition", "stack_name", "stack_id", "url_suffix"]
    );
    assert_eq!(complete("${jobs.url}", "${jobs."), ["url"], "an instance shows its outputs");
}

/// The diagnostics published for `platform.mdl`, by message.
fn platform_messages(published: &super::state::Publish) -> Option<Vec<String>> {
    published
        .iter()
        .find(|(uri, _)| *uri == url("platform.mdl"))
        .map(|(_, list)| list.iter().map(|d| d.message.clone()).collect())
}

#[test]
fn an_edit_during_an_analysis_cancels_it_and_it_never_publishes() {
    let mut state = State::default();
    state.set(&url("platform.mdl"), PLATFORM.to_string());
    state.set(&url("dev.mdl"), DEV.to_string());
    let before = platform_messages(&state.refresh().0).expect("platform.mdl answered");
    let broken = PLATFORM.replace("size: memory", "size: memroy");
    state.set(&url("platform.mdl"), broken.clone());
    let job = state.plan();
    assert!(state.is_running());
    // The editor undoes the edit while the job analyses the broken text.
    state.set(&url("platform.mdl"), PLATFORM.to_string());
    assert!(job.cancelled());
    let finished = job.run();
    assert!(state.install(finished).is_none(), "a cancelled analysis publishes nothing");
    assert!(!state.is_running());
    assert!(state.needs_refresh(), "the groups it was to analyse are still stale");
    // The next analysis is of the current text: the diagnostics from before
    // the typo that was undone, and the file is answered (it was changed).
    let (published, _) = state.refresh();
    assert_eq!(platform_messages(&published), Some(before));
    // And the typo, typed again and not undone, is reported.
    state.set(&url("platform.mdl"), broken);
    let (published, _) = state.refresh();
    let messages = platform_messages(&published).expect("platform.mdl answered");
    assert!(messages.iter().any(|m| m.contains("memroy")), "{messages:?}");
}

#[test]
fn a_request_during_an_analysis_is_answered_from_the_latest_finished_one() {
    let mut state = documents(PLATFORM);
    // A line typed above the project moves every name down by one line.
    let edited = format!("// a comment\n{PLATFORM}");
    state.set(&url("platform.mdl"), edited.clone());
    let job = state.plan();
    assert!(state.has_analysis(&url("platform.mdl")));
    let params = GotoDefinitionParams {
        text_document_position_params: at(&edited, "params}", 0, 2),
        work_done_progress_params: WorkDoneProgressParams::default(),
        partial_result_params: PartialResultParams::default(),
    };
    // Answered from the analysis of the text before the edit, mapped to
    // the editor's text: the field is on line 7 of the edited text.
    let answered = |state: &State| match navigate::definition(state, params.clone()) {
        Some(GotoDefinitionResponse::Scalar(location)) => location.range.start,
        other => panic!("{other:?}"),
    };
    assert_eq!(answered(&state), Position::new(7, 2));
    let (published, _) = state.install(job.run()).expect("not cancelled");
    assert!(platform_messages(&published).is_some(), "the changed file is answered");
    assert_eq!(answered(&state), Position::new(7, 2));
    assert!(!state.needs_refresh());
}

#[test]
fn a_document_just_opened_has_no_analysis_until_its_first_is_installed() {
    let mut state = State::default();
    state.set(&url("platform.mdl"), PLATFORM.to_string());
    let job = state.plan();
    assert!(!state.has_analysis(&url("platform.mdl")));
    assert!(state.install(job.run()).is_some());
    assert!(state.has_analysis(&url("platform.mdl")));
}
