//! SIGINT and SIGTERM as one flag that every step of a run checks.
//!
//! Input: signals (or [`Interrupt::set`] in tests). Output: a flag read before
//! every write, raced against every read and wait, and polled at prompts.
//! Invariants: once set, no change set is created or executed; a second signal
//! ends the process at once (exit 130) without waiting for anything; Ctrl-C
//! and CI's cancel (SIGTERM) are handled the same way.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often a wait looks at the flag.
const TICK: Duration = Duration::from_millis(25);

/// The exit code of a process ended by a second signal (128 + SIGINT).
pub const EXIT_ON_SECOND_SIGNAL: i32 = 130;

/// A shared interrupt flag.
#[derive(Debug, Clone, Default)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// A flag no signal sets (tests, and library users with their own handling).
    pub fn manual() -> Interrupt {
        Interrupt::default()
    }

    /// A flag SIGINT and SIGTERM set; a second one while it is set exits the
    /// process at once with code 130.
    pub fn on_signals() -> std::io::Result<Interrupt> {
        let flag = Interrupt::default();
        #[cfg(unix)]
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            // The order matters: the exit is checked before the flag is set.
            signal_hook::flag::register_conditional_shutdown(signal, EXIT_ON_SECOND_SIGNAL, flag.0.clone())?;
            signal_hook::flag::register(signal, flag.0.clone())?;
        }
        Ok(flag)
    }

    /// Whether a signal came.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Set the flag, as a signal does.
    pub fn set(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Resolves once the flag is set.
    pub async fn signalled(&self) {
        while !self.is_set() {
            tokio::time::sleep(TICK).await;
        }
    }

    /// Sleep for `delay`; `Err` as soon as the flag is set, even for a zero delay.
    pub async fn pause(&self, delay: Duration) -> Result<(), Interrupted> {
        if self.is_set() {
            return Err(Interrupted);
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = self.signalled() => return Err(Interrupted),
        }
        if self.is_set() {
            Err(Interrupted)
        } else {
            Ok(())
        }
    }

    /// Run `work`, or give up on it when the flag is set. Only for reads: an
    /// abandoned write would leave its effect unknown.
    pub async fn race<T>(&self, work: impl Future<Output = T>) -> Result<T, Interrupted> {
        if self.is_set() {
            return Err(Interrupted);
        }
        tokio::select! {
            out = work => Ok(out),
            () = self.signalled() => Err(Interrupted),
        }
    }
}

/// The flag was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(f)
    }

    #[test]
    fn a_set_flag_ends_even_a_zero_wait() {
        let flag = Interrupt::manual();
        assert_eq!(block_on(flag.pause(Duration::ZERO)), Ok(()));
        flag.set();
        assert_eq!(block_on(flag.pause(Duration::ZERO)), Err(Interrupted));
        assert_eq!(block_on(flag.pause(Duration::from_secs(3600))), Err(Interrupted));
    }

    #[test]
    fn a_read_that_never_ends_is_abandoned_when_the_flag_is_set() {
        let flag = Interrupt::manual();
        let setter = flag.clone();
        let out = block_on(async move {
            let never = std::future::pending::<u8>();
            let later = async {
                tokio::time::sleep(Duration::from_millis(30)).await;
                setter.set();
                std::future::pending::<()>().await;
            };
            tokio::select! {
                out = flag.race(never) => out,
                () = later => unreachable!("the race ends first"),
            }
        });
        assert_eq!(out, Err(Interrupted));
    }
}
