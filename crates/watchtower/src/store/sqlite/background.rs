//! A thread that works beside the writer until the store closes (the checkpointer,
//! the search indexer), and the lower priorities for work that must yield to it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

pub struct Background {
    stop: Arc<AtomicBool>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Background {
    /// Runs `work` on a thread named `name`; `work` must return soon after the
    /// flag it is given turns true.
    pub fn spawn(
        name: &str,
        work: impl FnOnce(&AtomicBool) + Send + 'static,
    ) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::Builder::new().name(name.into()).spawn({
            let stop = stop.clone();
            move || work(&stop)
        })?;
        Ok(Self {
            stop,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Tells the thread to stop and waits for it.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
        let thread = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}

/// Moves the calling thread to SCHED_IDLE: it gets only the CPU time that
/// nothing else wants, so that it never slows the server's writes down.
pub fn yield_cpu() -> Result<(), thread_priority::Error> {
    use thread_priority::{NormalThreadSchedulePolicy, ThreadPriority, ThreadSchedulePolicy};
    let idle = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle);
    let native = thread_priority::thread_native_id();
    thread_priority::set_thread_priority_and_policy(native, ThreadPriority::Min, idle)
}

/// Lowers the calling thread to nice 10: when it competes for a core with the
/// writer or the HTTP workers it gets about a tenth of their share, yet unlike
/// SCHED_IDLE it still moves on a machine kept busy by writes. Unprivileged
/// threads can lower their priority but never raise it back, so it is for
/// threads that end with their work.
pub fn give_way() -> Result<(), thread_priority::Error> {
    use thread_priority::{NormalThreadSchedulePolicy, ThreadPriority, ThreadSchedulePolicy};
    let normal = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Other);
    // The crate maps 0..=99 onto nice 19..=-20: 22 is nice 10.
    let nice_10 = ThreadPriority::Crossplatform(
        22u8.try_into()
            .map_err(|_| thread_priority::Error::Priority("22 is within 0..=99"))?,
    );
    let native = thread_priority::thread_native_id();
    thread_priority::set_thread_priority_and_policy(native, nice_10, normal)
}

#[cfg(test)]
mod tests {
    use thread_priority::{NormalThreadSchedulePolicy, ThreadSchedulePolicy};

    /// The calling thread's nice value, read off the kernel (field 19 of its stat).
    fn nice() -> i32 {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
        // The command name (field 2) may hold spaces: count from after its ')'.
        let after_name = &stat[stat.rfind(')').unwrap() + 2..];
        after_name.split(' ').nth(16).unwrap().parse().unwrap()
    }

    #[test]
    fn give_way_sets_nice_10() {
        let (before, after) = std::thread::spawn(|| {
            let before = nice();
            super::give_way().expect("an unprivileged thread may lower its priority");
            (before, nice())
        })
        .join()
        .unwrap();
        assert_eq!((before, after), (0, 10));
    }

    #[test]
    fn yield_cpu_puts_the_thread_in_the_idle_class() {
        let policy = std::thread::spawn(|| {
            super::yield_cpu().expect("an unprivileged thread may lower its priority");
            thread_priority::thread_schedule_policy().unwrap()
        })
        .join()
        .unwrap();
        assert_eq!(
            policy,
            ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle)
        );
    }
}
