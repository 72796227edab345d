//! The runner on its own: queue order, cancel while queued and while running, progress events.

use std::sync::mpsc;
use std::time::Duration;

use super::*;

fn runner() -> (Arc<Tasks>, mpsc::Receiver<Task>) {
    let tasks = Arc::new(Tasks::default());
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    tasks.listen(Arc::new(move |t: &Task| {
        tx.lock().unwrap().send(t.clone()).is_ok()
    }));
    (tasks, rx)
}

/// Events until task `id` has ended (its last event included).
fn events_until_end(rx: &mpsc::Receiver<Task>, id: i64) -> Vec<Task> {
    let mut seen = Vec::new();
    loop {
        let t = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("an event within 10 s");
        let done = t.id == id && t.status.is_finished();
        seen.push(t);
        if done {
            return seen;
        }
    }
}

#[test]
fn writers_take_turns_in_the_order_they_started() {
    let (tasks, _rx) = runner();
    let order = Arc::new(Mutex::new(Vec::new()));
    // The first holds its turn until told to go, so the others must queue behind it.
    let (go, wait) = mpsc::channel::<()>();
    let wait = Mutex::new(wait);
    let mut ids = Vec::new();
    for n in 0..4 {
        let order = order.clone();
        let gate =
            (n == 0).then(|| std::mem::replace(&mut *wait.lock().unwrap(), mpsc::channel().1));
        let t = tasks
            .spawn(
                Task::new(TaskKind::Import, format!("t{n}"), "bytes"),
                true,
                move |ctx| {
                    let turn = ctx.wait_turn();
                    if let Some(gate) = gate {
                        gate.recv().unwrap();
                    }
                    order.lock().unwrap().push(n);
                    drop(turn);
                    ctx.end(Ok(()));
                },
            )
            .unwrap();
        ids.push(t.id);
    }
    // While the first writes, the rest wait with their places in the line.
    std::thread::sleep(Duration::from_millis(100));
    let places: Vec<Option<u32>> = ids[1..]
        .iter()
        .map(|id| tasks.get(*id).unwrap().queue_position)
        .collect();
    assert_eq!(places, vec![Some(2), Some(3), Some(4)]);
    assert_eq!(tasks.get(ids[1]).unwrap().status, JobStatus::Queued);
    go.send(()).unwrap();
    for id in &ids {
        assert_eq!(tasks.wait(*id).unwrap().status, JobStatus::Success);
    }
    assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3]);
}

#[test]
fn a_task_cancelled_while_queued_never_runs_and_the_line_moves_on() {
    let (tasks, rx) = runner();
    let (go, gate) = mpsc::channel::<()>();
    let first = tasks
        .spawn(
            Task::new(TaskKind::Import, "first", "bytes"),
            true,
            move |ctx| {
                let turn = ctx.wait_turn();
                gate.recv().unwrap();
                drop(turn);
                ctx.end(Ok(()));
            },
        )
        .unwrap();
    let ran = Arc::new(AtomicBool::new(false));
    let ran2 = ran.clone();
    let second = tasks
        .spawn(
            Task::new(TaskKind::Import, "second", "bytes"),
            true,
            move |ctx| match ctx.wait_turn() {
                Some(_turn) => {
                    ran2.store(true, Ordering::Relaxed);
                    ctx.end(Ok(()));
                }
                None => {
                    ctx.end(Err(CoreError::Cancelled { file: "f".into() }));
                }
            },
        )
        .unwrap();
    let third = tasks
        .spawn(Task::new(TaskKind::Import, "third", "bytes"), true, |ctx| {
            let _turn = ctx.wait_turn();
            ctx.end(Ok(()));
        })
        .unwrap();
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(tasks.get(third.id).unwrap().queue_position, Some(3));
    tasks.cancel(second.id).unwrap();
    // It ends at once, not when the one ahead of it does.
    let ended = tasks.wait(second.id).unwrap();
    assert_eq!(ended.status, JobStatus::Cancelled);
    assert!(!tasks.get(first.id).unwrap().status.is_finished());
    // The one behind it moved up, and was told so.
    let moved = rx
        .try_iter()
        .any(|t| t.id == third.id && t.queue_position == Some(2));
    assert!(moved, "the third task heard its new place");
    go.send(()).unwrap();
    assert_eq!(tasks.wait(third.id).unwrap().status, JobStatus::Success);
    assert!(!ran.load(Ordering::Relaxed));
}

#[test]
fn a_running_task_stops_at_its_next_check_when_cancelled() {
    let (tasks, _rx) = runner();
    let t = tasks
        .spawn(Task::new(TaskKind::Export, "slow", "rows"), false, |ctx| {
            let mut rows = 0;
            while !ctx.is_cancelled() {
                rows += 1;
                ctx.update(|t| t.progress.done = rows);
                std::thread::sleep(Duration::from_millis(5));
            }
            ctx.end(Err(CoreError::Cancelled {
                file: "export".into(),
            }));
        })
        .unwrap();
    assert_eq!(t.status, JobStatus::Running, "a reader starts at once");
    std::thread::sleep(Duration::from_millis(50));
    tasks.cancel(t.id).unwrap();
    let ended = tasks.wait(t.id).unwrap();
    assert_eq!(ended.status, JobStatus::Cancelled);
    assert!(ended.progress.done > 0);
    assert!(ended.finished_at.is_some());
}

#[test]
fn progress_is_pushed_folded_to_ten_a_second_and_the_end_always_arrives() {
    let (tasks, rx) = runner();
    let t = tasks
        .spawn(Task::new(TaskKind::Import, "p", "bytes"), true, |ctx| {
            let _turn = ctx.wait_turn();
            ctx.update(|t| t.progress.total = Some(1000));
            for done in 1..=1000 {
                ctx.update(|t| t.progress.done = done);
                if done % 100 == 0 {
                    std::thread::sleep(Duration::from_millis(60));
                }
            }
            ctx.end(Err(CoreError::InvalidQuery("the file went away".into())));
        })
        .unwrap();
    let seen = events_until_end(&rx, t.id);
    let progress: Vec<u64> = seen
        .iter()
        .filter(|e| e.status == JobStatus::Running)
        .map(|e| e.progress.done)
        .collect();
    // About one event per 100 ms of work (~600 ms here), never one per update.
    assert!(
        (2..=40).contains(&progress.len()),
        "{} progress events",
        progress.len()
    );
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "{progress:?}");
    let last = seen.last().unwrap();
    assert_eq!(last.status, JobStatus::Failed);
    assert_eq!(last.error.as_deref(), Some("the file went away"));
    assert_eq!(last.progress.done, 1000);
    // The first event is the task as it was queued.
    assert_eq!(seen[0].status, JobStatus::Queued);
}

#[test]
fn work_that_forgets_to_end_is_failed_not_left_running() {
    let (tasks, _rx) = runner();
    let t = tasks
        .spawn(
            Task::new(TaskKind::Rerun, "r", "requests"),
            false,
            |_ctx| {},
        )
        .unwrap();
    let ended = tasks.wait(t.id).unwrap();
    assert_eq!(ended.status, JobStatus::Failed);
}

#[test]
fn work_that_panics_is_failed_and_frees_the_writers_line() {
    let (tasks, _rx) = runner();
    let t = tasks
        .spawn(Task::new(TaskKind::Import, "p", "bytes"), true, |ctx| {
            let _turn = ctx.wait_turn();
            panic!("stderr is closed");
        })
        .unwrap();
    let ended = tasks.wait(t.id).unwrap();
    assert_eq!(ended.status, JobStatus::Failed);
    assert!(
        ended
            .error
            .as_deref()
            .unwrap_or("")
            .contains("stderr is closed"),
        "{:?}",
        ended.error
    );
    // The next writer gets its turn.
    let next = tasks
        .spawn(Task::new(TaskKind::Import, "q", "bytes"), true, |ctx| {
            let turn = ctx.wait_turn();
            drop(turn);
            ctx.end(Ok(()));
        })
        .unwrap();
    assert_eq!(tasks.wait(next.id).unwrap().status, JobStatus::Success);
}

#[test]
fn a_listener_that_hung_up_is_dropped() {
    let (tasks, rx) = runner();
    drop(rx);
    let t = tasks
        .spawn(Task::new(TaskKind::Export, "x", "rows"), false, |ctx| {
            ctx.end(Ok(()));
        })
        .unwrap();
    tasks.wait(t.id);
    assert!(tasks.state().listeners.is_empty());
}
