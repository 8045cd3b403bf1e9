//! Connections that move no byte for a while are closed. A client that sends half a request and
//! waits, or keeps a connection open and silent, would otherwise hold it (a task and a file
//! descriptor) for ever: many such clients exhaust the process's descriptors, and one keeps a
//! graceful stop waiting, since the server finishes every request it has begun.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Sleep};

/// A listener whose connections close after `idle` without a byte read or written.
pub struct IdleLimit {
    listener: TcpListener,
    idle: Duration,
}

impl IdleLimit {
    pub fn new(listener: TcpListener, idle: Duration) -> Self {
        IdleLimit { listener, idle }
    }
}

impl axum::serve::Listener for IdleLimit {
    type Io = Idle<TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // The TCP listener's own accept retries what it can and waits out a lack of descriptors.
        let (stream, address) = axum::serve::Listener::accept(&mut self.listener).await;
        (Idle::new(stream, self.idle), address)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.listener.local_addr()
    }
}

/// A connection that fails its pending read or write once it has waited `idle` since it last
/// moved a byte (the server then closes it).
pub struct Idle<T> {
    inner: T,
    idle: Duration,
    deadline: Pin<Box<Sleep>>,
    /// Whether a byte moved since the deadline was set: the next wait sets it again (once a
    /// wait, not once a read or write).
    moved: bool,
}

impl<T> Idle<T> {
    fn new(inner: T, idle: Duration) -> Self {
        Idle {
            inner,
            idle,
            deadline: Box::pin(tokio::time::sleep(idle)),
            moved: false,
        }
    }

    /// What a read, write or flush returned, and whether it `moved` a byte: a wait after a byte
    /// moved has `idle` from its start; waiting past the deadline is an error. (A flush done at
    /// once moves nothing: counted as progress, it would put the deadline off for ever on a
    /// connection that only waits.)
    fn after<R>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<R>>,
        moved: bool,
    ) -> Poll<io::Result<R>> {
        if polled.is_ready() {
            self.moved |= moved;
            return polled;
        }
        if std::mem::take(&mut self.moved) {
            let idle = self.idle;
            self.deadline.as_mut().reset(Instant::now() + idle);
        }
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no byte moved for {} s", self.idle.as_secs_f64()),
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Idle<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let moved = buf.filled().len() > before;
        self.after(cx, polled, moved)
    }
}

/// Whether a write wrote something.
fn wrote(polled: &Poll<io::Result<usize>>) -> bool {
    matches!(polled, Poll::Ready(Ok(n)) if *n > 0)
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Idle<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        let moved = wrote(&polled);
        self.after(cx, polled, moved)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        let moved = wrote(&polled);
        self.after(cx, polled, moved)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_flush(cx);
        self.after(cx, polled, false)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.after(cx, polled, false)
    }
}
