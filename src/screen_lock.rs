//! Locks the vault when the desktop locks: a named thread per D-Bus bus
//! listens for the signals Linux desktops send when the screen locks or the
//! screen saver starts (`org.freedesktop.ScreenSaver` and GNOME's
//! `org.gnome.ScreenSaver` `ActiveChanged(true)` on the session bus), when
//! logind locks a session (`org.freedesktop.login1.Session.Lock`) and before
//! the machine sleeps (`PrepareForSleep(true)`), both on the system bus.
//!
//! Each event calls the `notify` callback (the window turns it into Lock).
//! Without a bus (no desktop session, a container) the threads log why and
//! end; idle auto-lock still works.
// TODO: Windows (WTSRegisterSessionNotification) and macOS
// (com.apple.screenIsLocked) are not watched.

use std::sync::Arc;

use futures_lite::StreamExt;
use zbus::{Connection, MatchRule, MessageStream};

/// Why the watcher asks to lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockReason {
    ScreenLocked,
    Sleep,
}

type Notify = Arc<dyn Fn(LockReason) + Send + Sync>;

/// Starts watching the session and system buses; returns at once.
pub fn watch(notify: impl Fn(LockReason) + Send + Sync + 'static) {
    let notify: Notify = Arc::new(notify);
    let session = Arc::clone(&notify);
    spawn("qvault-screen-lock", move || async move {
        let connection = Connection::session().await?;
        watch_session_bus(&connection, &session).await
    });
    spawn("qvault-sleep-lock", move || async move {
        let connection = Connection::system().await?;
        watch_system_bus(&connection, &notify).await
    });
}

/// Watches the session bus at `address` (tests run their own bus).
#[doc(hidden)]
pub fn watch_session_bus_at(address: &str, notify: impl Fn(LockReason) + Send + Sync + 'static) {
    let notify: Notify = Arc::new(notify);
    let address = address.to_owned();
    spawn("qvault-screen-lock", move || async move {
        let connection = zbus::connection::Builder::address(address.as_str())?
            .build()
            .await?;
        watch_session_bus(&connection, &notify).await
    });
}

fn spawn<F, Fut>(name: &str, run: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = zbus::Result<()>>,
{
    let thread_name = name.to_owned();
    let started = std::thread::Builder::new()
        .name(thread_name.clone())
        .spawn(move || {
            if let Err(e) = async_io::block_on(run()) {
                log::info!("{thread_name}: not watching: {e}");
            }
        });
    if let Err(e) = started {
        log::warn!("failed to start {name}: {e}");
    }
}

fn signal_rule(interface: &'static str, member: &'static str) -> zbus::Result<MatchRule<'static>> {
    Ok(MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .interface(interface)?
        .member(member)?
        .build())
}

async fn watch_session_bus(connection: &Connection, notify: &Notify) -> zbus::Result<()> {
    let freedesktop = MessageStream::for_match_rule(
        signal_rule("org.freedesktop.ScreenSaver", "ActiveChanged")?,
        connection,
        None,
    )
    .await?;
    let gnome = MessageStream::for_match_rule(
        signal_rule("org.gnome.ScreenSaver", "ActiveChanged")?,
        connection,
        None,
    )
    .await?;
    let mut signals = freedesktop.or(gnome);
    while let Some(message) = signals.next().await {
        let Ok(message) = message else { continue };
        if message.body().deserialize::<bool>().unwrap_or(false) {
            notify(LockReason::ScreenLocked);
        }
    }
    Ok(())
}

async fn watch_system_bus(connection: &Connection, notify: &Notify) -> zbus::Result<()> {
    // A session lock on the machine locks the vault, whichever session it
    // names: locking too often is safe, missing one is not.
    let locks = MessageStream::for_match_rule(
        signal_rule("org.freedesktop.login1.Session", "Lock")?,
        connection,
        None,
    )
    .await?
    .filter_map(|message| message.ok().map(|_| LockReason::ScreenLocked));
    // PrepareForSleep(false) is the wake-up: nothing to do then.
    let sleeps = MessageStream::for_match_rule(
        signal_rule("org.freedesktop.login1.Manager", "PrepareForSleep")?,
        connection,
        None,
    )
    .await?
    .filter_map(|message| {
        message
            .ok()
            .filter(|m| m.body().deserialize::<bool>().unwrap_or(false))
            .map(|_| LockReason::Sleep)
    });
    let mut events = locks.or(sleeps);
    while let Some(reason) = events.next().await {
        notify(reason);
    }
    Ok(())
}
