//! SDK shapes → the plain data of `api.rs`.

use std::collections::BTreeMap;

use aws_sdk_cloudformation as cfn;

use crate::deploy::api::{
    ChangeDetail, ChangeTarget, PropertyDifference, ResourceChange, ResourceDrift, ResourceIdentifierSummary,
    ResourceToImport, StackEvent, StackInfo, StackInstanceSummary, StackOutput, StackResource, StackSetInfo,
    StackSetOperationRequest, StackSetOperationResult,
};

pub(super) fn stack_info(stack: &cfn::types::Stack) -> StackInfo {
    let parameters: BTreeMap<String, String> = stack
        .parameters()
        .iter()
        .filter_map(|p| Some((p.parameter_key()?.to_string(), p.parameter_value().unwrap_or("").to_string())))
        .collect();
    let changed = stack.last_updated_time().or(stack.creation_time());
    StackInfo {
        name: stack.stack_name().unwrap_or("").to_string(),
        stack_id: stack.stack_id().unwrap_or("").to_string(),
        changed_at: changed.map(ToString::to_string),
        status: stack.stack_status().map_or("", |s| s.as_str()).to_string(),
        status_reason: stack.stack_status_reason().map(str::to_string),
        parameters,
        termination_protection: stack.enable_termination_protection().unwrap_or(false),
        tags: stack
            .tags()
            .iter()
            .map(|t| (t.key().unwrap_or("").to_string(), t.value().unwrap_or("").to_string()))
            .collect(),
        outputs: stack
            .outputs()
            .iter()
            .map(|o| StackOutput {
                output_key: o.output_key().unwrap_or("").to_string(),
                output_value: o.output_value().unwrap_or("").to_string(),
                description: o.description().map(str::to_string),
            })
            .collect(),
    }
}

pub(super) fn stack_resource(r: &cfn::types::StackResource) -> StackResource {
    StackResource {
        logical_resource_id: r.logical_resource_id().unwrap_or("").to_string(),
        physical_resource_id: r.physical_resource_id().map(str::to_string),
        resource_type: r.resource_type().unwrap_or("").to_string(),
        resource_status: r.resource_status().map_or("", |s| s.as_str()).to_string(),
    }
}

pub(super) fn resource_drift(d: &cfn::types::StackResourceDrift) -> ResourceDrift {
    ResourceDrift {
        logical_resource_id: d.logical_resource_id().unwrap_or("").to_string(),
        physical_resource_id: d.physical_resource_id().map(str::to_string),
        resource_type: d.resource_type().unwrap_or("").to_string(),
        stack_resource_drift_status: d.stack_resource_drift_status().map_or("", |s| s.as_str()).to_string(),
        property_differences: d
            .property_differences()
            .iter()
            .map(|p| PropertyDifference {
                property_path: p.property_path().unwrap_or("").to_string(),
                expected_value: p.expected_value().unwrap_or("").to_string(),
                actual_value: p.actual_value().unwrap_or("").to_string(),
                difference_type: p.difference_type().map_or("", |s| s.as_str()).to_string(),
            })
            .collect(),
    }
}

pub(super) fn identifier_summary(s: &cfn::types::ResourceIdentifierSummary) -> ResourceIdentifierSummary {
    ResourceIdentifierSummary {
        resource_type: s.resource_type().unwrap_or("").to_string(),
        logical_resource_ids: s.logical_resource_ids().to_vec(),
        resource_identifiers: s.resource_identifiers().to_vec(),
    }
}

pub(super) fn resource_to_import(r: &ResourceToImport) -> cfn::types::ResourceToImport {
    let mut builder = cfn::types::ResourceToImport::builder()
        .resource_type(&r.resource_type)
        .logical_resource_id(&r.logical_resource_id);
    for (key, value) in &r.resource_identifier {
        builder = builder.resource_identifier(key, value);
    }
    builder.build()
}

pub(super) fn resource_change(rc: &cfn::types::ResourceChange) -> ResourceChange {
    ResourceChange {
        action: rc.action().map_or("", |a| a.as_str()).to_string(),
        logical_resource_id: rc.logical_resource_id().unwrap_or("").to_string(),
        resource_type: rc.resource_type().unwrap_or("").to_string(),
        replacement: rc.replacement().map(|r| r.as_str().to_string()),
        scope: rc.scope().iter().map(|s| s.as_str().to_string()).collect(),
        details: rc.details().iter().map(detail).collect(),
        before_context: rc.before_context().map(str::to_string),
        after_context: rc.after_context().map(str::to_string),
    }
}

fn detail(d: &cfn::types::ResourceChangeDetail) -> ChangeDetail {
    ChangeDetail {
        target: d.target().map(|t| ChangeTarget {
            attribute: t.attribute().map(|a| a.as_str().to_string()),
            name: t.name().map(str::to_string),
            requires_recreation: t.requires_recreation().map(|r| r.as_str().to_string()),
            path: t.path().map(str::to_string),
            before_value: t.before_value().map(str::to_string),
            after_value: t.after_value().map(str::to_string),
            attribute_change_type: t.attribute_change_type().map(|a| a.as_str().to_string()),
        }),
        evaluation: d.evaluation().map(|e| e.as_str().to_string()),
        change_source: d.change_source().map(|c| c.as_str().to_string()),
        causing_entity: d.causing_entity().map(str::to_string),
    }
}

pub(super) fn stack_event(e: &cfn::types::StackEvent) -> StackEvent {
    StackEvent {
        event_id: e.event_id().unwrap_or("").to_string(),
        logical_resource_id: e.logical_resource_id().unwrap_or("").to_string(),
        resource_type: e.resource_type().unwrap_or("").to_string(),
        resource_status: e.resource_status().map_or("", |s| s.as_str()).to_string(),
        resource_status_reason: e.resource_status_reason().map(str::to_string),
        timestamp: e.timestamp().map(ToString::to_string).unwrap_or_default(),
        client_request_token: e.client_request_token().map(str::to_string),
    }
}

pub(super) fn stack_set_info(set: &cfn::types::StackSet) -> StackSetInfo {
    StackSetInfo {
        name: set.stack_set_name().unwrap_or("").to_string(),
        stack_set_id: set.stack_set_id().unwrap_or("").to_string(),
        status: set.status().map_or("", |s| s.as_str()).to_string(),
        template_body: set.template_body().unwrap_or("").to_string(),
        parameters: set
            .parameters()
            .iter()
            .filter_map(|p| {
                Some((p.parameter_key()?.to_string(), p.parameter_value().unwrap_or("").to_string()))
            })
            .collect(),
        tags: set
            .tags()
            .iter()
            .map(|t| (t.key().unwrap_or("").to_string(), t.value().unwrap_or("").to_string()))
            .collect(),
        administration_role_arn: set.administration_role_arn().map(str::to_string),
        execution_role_name: set.execution_role_name().map(str::to_string),
    }
}

pub(super) fn stack_instance(instance: &cfn::types::StackInstanceSummary) -> StackInstanceSummary {
    StackInstanceSummary {
        account: instance.account().unwrap_or("").to_string(),
        region: instance.region().unwrap_or("").to_string(),
        status: instance.status().map_or("", |s| s.as_str()).to_string(),
        status_reason: instance.status_reason().map(str::to_string),
        detailed_status: instance
            .stack_instance_status()
            .and_then(|s| s.detailed_status())
            .map(|s| s.as_str().to_string()),
        stack_id: instance.stack_id().map(str::to_string),
    }
}

pub(super) fn operation_result(
    result: &cfn::types::StackSetOperationResultSummary,
) -> StackSetOperationResult {
    StackSetOperationResult {
        account: result.account().unwrap_or("").to_string(),
        region: result.region().unwrap_or("").to_string(),
        status: result.status().map_or("", |s| s.as_str()).to_string(),
        status_reason: result.status_reason().map(str::to_string),
    }
}

/// `OperationPreferences`: one region after another in mdl's order, counts per
/// region. Soft failure tolerance: with the default (strict) mode AWS refuses
/// more accounts at once than one over the tolerance, which `max_concurrent`
/// alone may ask for.
pub(super) fn preferences(operation: &StackSetOperationRequest) -> cfn::types::StackSetOperationPreferences {
    let count = |n: i64| i32::try_from(n).unwrap_or(i32::MAX);
    cfn::types::StackSetOperationPreferences::builder()
        .region_concurrency_type(cfn::types::RegionConcurrencyType::Sequential)
        .concurrency_mode(cfn::types::ConcurrencyMode::SoftFailureTolerance)
        .set_region_order(Some(operation.region_order.clone()))
        .max_concurrent_count(count(operation.max_concurrent.max(1)))
        .failure_tolerance_count(count(operation.failure_tolerance.max(0)))
        .build()
}
