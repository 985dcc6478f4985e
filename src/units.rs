//! Units of measure: what `2 GB`, `0.5 vcpu`, `5 min` and `10%` mean.
//!
//! A quantity is stored in its dimension's base unit (CPU units, MiB, seconds,
//! percent) so arithmetic and comparison never mix scales. `GB` means 1024 MiB,
//! as AWS's Fargate and Lambda documentation mean it.

use std::fmt;

/// What a quantity measures. Two quantities combine only within a dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    Cpu,
    Memory,
    Duration,
    Percent,
}

impl Dimension {
    /// The type name users write: `cpu`, `memory`, `duration`, `percent`.
    pub fn type_name(self) -> &'static str {
        match self {
            Dimension::Cpu => "cpu",
            Dimension::Memory => "memory",
            Dimension::Duration => "duration",
            Dimension::Percent => "percent",
        }
    }

    /// Units of this dimension, for messages ("write `2 GB` or `2048 MiB`").
    pub fn units(self) -> &'static [Unit] {
        match self {
            Dimension::Cpu => &[Unit::Vcpu],
            Dimension::Memory => &[Unit::MiB, Unit::GiB, Unit::MB, Unit::GB],
            Dimension::Duration => &[Unit::Second, Unit::Minute, Unit::Hour, Unit::Day],
            Dimension::Percent => &[Unit::Percent],
        }
    }

    /// The base unit as messages name it: `CPU units` (1 vcpu = 1024, as
    /// CloudFormation writes a task's CPU), `MiB`, `s`, `%`.
    pub fn base_unit_name(self) -> &'static str {
        match self {
            Dimension::Cpu => "CPU units",
            Dimension::Memory => "MiB",
            Dimension::Duration => "s",
            Dimension::Percent => "%",
        }
    }

    /// The unit a value of this dimension is shown in.
    pub fn display_unit(self, base_amount: f64) -> Unit {
        match self {
            Dimension::Cpu => Unit::Vcpu,
            Dimension::Memory if base_amount >= 1024.0 && base_amount % 1024.0 == 0.0 => Unit::GiB,
            Dimension::Memory => Unit::MiB,
            Dimension::Duration if base_amount >= 86_400.0 && base_amount % 86_400.0 == 0.0 => Unit::Day,
            Dimension::Duration if base_amount >= 3600.0 && base_amount % 3600.0 == 0.0 => Unit::Hour,
            Dimension::Duration if base_amount >= 60.0 && base_amount % 60.0 == 0.0 => Unit::Minute,
            Dimension::Duration => Unit::Second,
            Dimension::Percent => Unit::Percent,
        }
    }
}

/// A unit as written after a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Unit {
    Vcpu,
    MiB,
    GiB,
    MB,
    GB,
    Second,
    Minute,
    Hour,
    Day,
    Percent,
}

impl Unit {
    /// Parse a unit as the grammar accepts it.
    pub fn parse(text: &str) -> Option<Unit> {
        Some(match text {
            "vcpu" => Unit::Vcpu,
            "MiB" => Unit::MiB,
            "GiB" => Unit::GiB,
            "MB" => Unit::MB,
            "GB" => Unit::GB,
            "s" => Unit::Second,
            "min" => Unit::Minute,
            "h" => Unit::Hour,
            "day" | "days" => Unit::Day,
            "%" => Unit::Percent,
            _ => return None,
        })
    }

    /// The dimension this unit measures.
    pub fn dimension(self) -> Dimension {
        match self {
            Unit::Vcpu => Dimension::Cpu,
            Unit::MiB | Unit::GiB | Unit::MB | Unit::GB => Dimension::Memory,
            Unit::Second | Unit::Minute | Unit::Hour | Unit::Day => Dimension::Duration,
            Unit::Percent => Dimension::Percent,
        }
    }

    /// How many base units one of this unit is (CPU units, MiB, seconds, percent).
    pub fn scale(self) -> f64 {
        match self {
            Unit::Vcpu => 1024.0,
            Unit::MiB | Unit::MB => 1.0,
            Unit::GiB | Unit::GB => 1024.0,
            Unit::Second => 1.0,
            Unit::Minute => 60.0,
            Unit::Hour => 3600.0,
            Unit::Day => 86_400.0,
            Unit::Percent => 1.0,
        }
    }

    /// `amount` written in this unit, as the formatter and messages show it:
    /// `2 GiB`, `10%`, `1 day`, `90 days`.
    pub fn write(self, amount: f64) -> String {
        match self {
            Unit::Percent => format!("{}%", format_amount(amount)),
            Unit::Day if amount == 1.0 => "1 day".to_string(),
            unit => format!("{} {}", format_amount(amount), unit.symbol()),
        }
    }

    /// The unit as users write it.
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Vcpu => "vcpu",
            Unit::MiB => "MiB",
            Unit::GiB => "GiB",
            Unit::MB => "MB",
            Unit::GB => "GB",
            Unit::Second => "s",
            Unit::Minute => "min",
            Unit::Hour => "h",
            Unit::Day => "days",
            Unit::Percent => "%",
        }
    }
}

/// A measured amount in its dimension's base unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantity {
    pub dimension: Dimension,
    /// In base units: CPU units (1 vcpu = 1024), MiB, seconds, percent.
    pub base: f64,
}

/// Why two quantities could not be combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitError {
    /// `2 GB + 1 vcpu`
    Mismatch { left: Dimension, right: Dimension },
    /// `1 GB / 0 GB`, `10% % 0%`
    DivisionByZero,
}

impl Quantity {
    /// `amount unit`, converted to base units.
    pub fn new(amount: f64, unit: Unit) -> Quantity {
        Quantity { dimension: unit.dimension(), base: amount * unit.scale() }
    }

    /// The amount expressed in `unit` (which must be of the same dimension).
    pub fn in_unit(self, unit: Unit) -> f64 {
        self.base / unit.scale()
    }

    /// The amount in base units, as `units(..)` returns it and messages
    /// write it: `1024 CPU units`, `2048 MiB`, `300 s`, `10%`.
    pub fn in_base_units(self) -> String {
        let name = self.dimension.base_unit_name();
        match self.dimension {
            Dimension::Percent => format!("{}{name}", format_amount(self.base)),
            _ => format!("{} {name}", format_amount(self.base)),
        }
    }

    /// Whether `unit` is the base unit itself (`MiB`, `s`, `%`; no unit
    /// users write is a CPU unit).
    pub fn is_base(unit: Unit) -> bool {
        unit.scale() == 1.0 && unit.symbol() == unit.dimension().base_unit_name()
    }

    /// `self + other`, same dimension only.
    pub fn checked_add(self, other: Quantity) -> Result<Quantity, UnitError> {
        self.same_dimension(other)?;
        Ok(Quantity { base: self.base + other.base, ..self })
    }

    /// `self - other`, same dimension only.
    pub fn checked_sub(self, other: Quantity) -> Result<Quantity, UnitError> {
        self.same_dimension(other)?;
        Ok(Quantity { base: self.base - other.base, ..self })
    }

    /// `self * factor` for a plain number.
    pub fn scale_by(self, factor: f64) -> Quantity {
        Quantity { base: self.base * factor, ..self }
    }

    /// `self / other`: the plain ratio of two quantities of one dimension.
    pub fn ratio(self, other: Quantity) -> Result<f64, UnitError> {
        self.same_dimension(other)?;
        if other.base == 0.0 {
            return Err(UnitError::DivisionByZero);
        }
        Ok(self.base / other.base)
    }

    /// `self % other`: what is left after whole steps of `other`.
    pub fn checked_rem(self, other: Quantity) -> Result<Quantity, UnitError> {
        self.same_dimension(other)?;
        if other.base == 0.0 {
            return Err(UnitError::DivisionByZero);
        }
        Ok(Quantity { base: self.base % other.base, ..self })
    }

    /// Ordering within a dimension.
    pub fn compare(self, other: Quantity) -> Result<std::cmp::Ordering, UnitError> {
        self.same_dimension(other)?;
        Ok(self.base.total_cmp(&other.base))
    }

    fn same_dimension(self, other: Quantity) -> Result<(), UnitError> {
        if self.dimension == other.dimension {
            Ok(())
        } else {
            Err(UnitError::Mismatch { left: self.dimension, right: other.dimension })
        }
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = self.dimension.display_unit(self.base);
        write!(f, "{}", unit.write(self.in_unit(unit)))
    }
}

/// `2` rather than `2.0`, `0.25` as is.
pub fn format_amount(amount: f64) -> String {
    if amount.fract() == 0.0 && amount.abs() < 1e15 {
        format!("{}", amount as i64)
    } else {
        format!("{amount}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gigabytes_mean_1024_mebibytes_as_fargate_means_it() {
        assert_eq!(Quantity::new(2.0, Unit::GB).in_unit(Unit::MiB), 2048.0);
        assert_eq!(Quantity::new(2.0, Unit::GB), Quantity::new(2048.0, Unit::MiB));
    }

    #[test]
    fn one_vcpu_is_1024_cpu_units() {
        assert_eq!(Quantity::new(1.0, Unit::Vcpu).base, 1024.0);
        assert_eq!(Quantity::new(0.25, Unit::Vcpu).base, 256.0);
    }

    #[test]
    fn base_units_are_what_units_returns() {
        assert_eq!(Quantity::new(0.5, Unit::Vcpu).in_base_units(), "512 CPU units");
        assert_eq!(Quantity::new(2.0, Unit::GB).in_base_units(), "2048 MiB");
        assert_eq!(Quantity::new(90.0, Unit::Day).in_base_units(), "7776000 s");
        assert_eq!(Quantity::new(70.0, Unit::Percent).in_base_units(), "70%");
        let base: Vec<Unit> =
            [Unit::Vcpu, Unit::MiB, Unit::MB, Unit::GiB, Unit::Second, Unit::Minute, Unit::Percent]
                .into_iter()
                .filter(|u| Quantity::is_base(*u))
                .collect();
        assert_eq!(
            base,
            [Unit::MiB, Unit::Second, Unit::Percent],
            "`MB` is written in MiB but is not its name"
        );
    }

    #[test]
    fn adding_across_dimensions_is_an_error() {
        let memory = Quantity::new(2.0, Unit::GB);
        let cpu = Quantity::new(1.0, Unit::Vcpu);
        assert_eq!(
            memory.checked_add(cpu),
            Err(UnitError::Mismatch { left: Dimension::Memory, right: Dimension::Cpu })
        );
        assert!(memory.compare(cpu).is_err());
    }

    #[test]
    fn durations_convert_and_compare() {
        let five_minutes = Quantity::new(5.0, Unit::Minute);
        assert_eq!(five_minutes.in_unit(Unit::Second), 300.0);
        let sum = five_minutes.checked_add(Quantity::new(30.0, Unit::Second)).expect("same dimension");
        assert_eq!(sum.base, 330.0);
        assert_eq!(
            Quantity::new(60.0, Unit::Day).compare(Quantity::new(2.0, Unit::Hour)),
            Ok(std::cmp::Ordering::Greater)
        );
    }

    #[test]
    fn remainder_finds_steps_and_refuses_zero() {
        let memory = Quantity::new(3072.0, Unit::MiB);
        assert_eq!(memory.checked_rem(Quantity::new(1.0, Unit::GB)).map(|q| q.base), Ok(0.0));
        assert_eq!(memory.checked_rem(Quantity::new(2.0, Unit::GB)).map(|q| q.base), Ok(1024.0));
        assert_eq!(memory.checked_rem(Quantity::new(0.0, Unit::GB)), Err(UnitError::DivisionByZero));
    }

    #[test]
    fn quantities_display_in_the_largest_whole_unit() {
        assert_eq!(Quantity::new(2048.0, Unit::MiB).to_string(), "2 GiB");
        assert_eq!(Quantity::new(1536.0, Unit::MiB).to_string(), "1536 MiB");
        assert_eq!(Quantity::new(0.5, Unit::Vcpu).to_string(), "0.5 vcpu");
        assert_eq!(Quantity::new(300.0, Unit::Second).to_string(), "5 min");
        assert_eq!(Quantity::new(10.0, Unit::Percent).to_string(), "10%");
        assert_eq!(Quantity::new(1.0, Unit::Day).to_string(), "1 day");
        assert_eq!(Quantity::new(2.0, Unit::Day).to_string(), "2 days");
    }
}
