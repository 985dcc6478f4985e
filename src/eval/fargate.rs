//! The task sizes Fargate offers: one table, read by the `fargate_memory`
//! built-in (which the stdlib's `ecs.task_size` rule uses) and by the check of
//! raw `AWS::ECS::TaskDefinition` resources, so a size is judged the same way
//! whether a construct or a hand-written resource asks for it.
//!
//! Input: CPU in CPU units (1 vcpu = 1024) and memory in MiB, as quantities
//! store them. Output: the memory sizes offered with a CPU size, and for raw
//! task definitions an E0403 at the `Memory` (or `Cpu`) property.

use super::error::EvalError;
use super::model::{ResourceModel, Value, ValueKind};
use super::Evaluator;
use crate::units::{Quantity, Unit};

/// Memory offered, in MiB: from the lowest to the highest, in steps.
type Steps = (u32, u32, u32);

/// CPU units → memory offered, from AWS's "Task CPU and memory" table for
/// Linux tasks.
const SIZES: &[(u32, &[Steps])] = &[
    (256, &[(512, 512, 512), (1024, 2048, 1024)]),
    (512, &[(1024, 4096, 1024)]),
    (1024, &[(2048, 8192, 1024)]),
    (2048, &[(4096, 16384, 1024)]),
    (4096, &[(8192, 30720, 1024)]),
    (8192, &[(16384, 61440, 4096)]),
    (16384, &[(32768, 122880, 8192)]),
];

/// The memory sizes (MiB) Fargate offers with `cpu_units`; empty when Fargate
/// has no such CPU size.
pub(crate) fn memory_for(cpu_units: f64) -> Vec<u32> {
    let Some((_, ranges)) = SIZES.iter().find(|(units, _)| f64::from(*units) == cpu_units) else {
        return Vec::new();
    };
    ranges.iter().flat_map(|&(low, high, step)| (low..=high).step_by(step as usize)).collect()
}

/// The CPU sizes Fargate offers, as written: "0.25 vcpu, 0.5 vcpu, ...".
fn cpu_sizes() -> String {
    let shown: Vec<String> = SIZES
        .iter()
        .map(|(units, _)| Quantity::new(f64::from(*units) / 1024.0, Unit::Vcpu).to_string())
        .collect();
    shown.join(", ")
}

/// What a failed size check says, in the words of the stdlib's rule.
pub(crate) fn refusal(cpu_units: f64, memory_mib: f64) -> Option<String> {
    let cpu = Quantity::new(cpu_units / 1024.0, Unit::Vcpu);
    let offered = memory_for(cpu_units);
    if offered.is_empty() {
        return Some(format!("Fargate has no {cpu} size; it offers {}", cpu_sizes()));
    }
    if offered.iter().any(|&m| f64::from(m) == memory_mib) {
        return None;
    }
    let memory = Quantity::new(memory_mib, Unit::MiB);
    let shown: Vec<String> =
        offered.iter().map(|&m| Quantity::new(f64::from(m), Unit::MiB).to_string()).collect();
    Some(format!(
        "Fargate has no task size with {cpu} and {memory}: with {cpu}, memory is {}",
        shown.join(", ")
    ))
}

impl Evaluator<'_> {
    /// A raw `AWS::ECS::TaskDefinition` for Fargate whose `Cpu` and `Memory`
    /// are known at check time must be a size Fargate offers (E0403), as the
    /// stdlib's services are; CloudFormation would refuse it mid-deploy.
    pub(crate) fn check_raw_task_size(&mut self, resource: &ResourceModel) {
        if resource.type_name != "AWS::ECS::TaskDefinition" || !on_fargate(&resource.properties) {
            return;
        }
        let (Some(cpu), Some(memory)) =
            (resource.properties.field("Cpu"), resource.properties.field("Memory"))
        else {
            return;
        };
        let (Some(cpu_units), Some(memory_mib)) =
            (task_amount(cpu, Unit::Vcpu), task_amount(memory, Unit::GB))
        else {
            return;
        };
        if let Some(message) = refusal(cpu_units, memory_mib) {
            let error = match memory_for(cpu_units).is_empty() {
                true => EvalError::FargateSize { message, span: cpu.origin, cpu: None },
                false => EvalError::FargateSize { message, span: memory.origin, cpu: Some(cpu.origin) },
            };
            self.report(error);
        }
    }
}

/// `RequiresCompatibilities` names `FARGATE`.
fn on_fargate(properties: &Value) -> bool {
    let Some(ValueKind::List(items)) = properties.field("RequiresCompatibilities").map(|v| &v.kind) else {
        return false;
    };
    items.iter().any(|item| item.as_str() == Some("FARGATE"))
}

/// A task definition's `Cpu` (CPU units, or "1 vCPU") or `Memory` (MiB, or
/// "2 GB"), in base units; `None` when deploy-time or not a size.
fn task_amount(value: &Value, written_unit: Unit) -> Option<f64> {
    let text = match &value.kind {
        ValueKind::Int(n) => return Some(*n as f64),
        ValueKind::String(text) => text.trim().to_ascii_lowercase(),
        _ => return None,
    };
    if let Ok(n) = text.parse::<f64>() {
        return Some(n);
    }
    let unit = match written_unit {
        Unit::Vcpu => "vcpu",
        _ => "gb",
    };
    let amount = text.strip_suffix(unit)?.trim().parse::<f64>().ok()?;
    Some(Quantity::new(amount, written_unit).base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_offers_what_aws_documents() {
        assert_eq!(memory_for(256.0), [512, 1024, 2048]);
        assert_eq!(memory_for(512.0), [1024, 2048, 3072, 4096]);
        assert_eq!(memory_for(8192.0).len(), 12);
        assert_eq!(memory_for(16384.0).last(), Some(&122880));
        assert!(memory_for(300.0).is_empty());
    }

    #[test]
    fn refusals_name_what_is_offered() {
        assert_eq!(refusal(256.0, 2048.0), None);
        assert_eq!(
            refusal(256.0, 3072.0).as_deref(),
            Some("Fargate has no task size with 0.25 vcpu and 3 GiB: with 0.25 vcpu, memory is 512 MiB, 1 GiB, 2 GiB")
        );
        assert!(refusal(3072.0, 8192.0).is_some_and(|m| m.starts_with("Fargate has no 3 vcpu size")));
    }

    #[test]
    fn task_definition_sizes_are_read_as_cloudformation_writes_them() {
        let text = |s: &str| Value::string(s, Default::default());
        assert_eq!(task_amount(&text("256"), Unit::Vcpu), Some(256.0));
        assert_eq!(task_amount(&text("0.25 vCPU"), Unit::Vcpu), Some(256.0));
        assert_eq!(task_amount(&text("3 GB"), Unit::GB), Some(3072.0));
        assert_eq!(task_amount(&text("3GB"), Unit::GB), Some(3072.0));
        assert_eq!(
            task_amount(&Value::new(ValueKind::Int(1024), Default::default()), Unit::GB),
            Some(1024.0)
        );
        assert_eq!(task_amount(&text("lots"), Unit::GB), None);
    }
}
