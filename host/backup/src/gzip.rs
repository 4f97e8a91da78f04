//! A gzip writer that compresses on every core and still writes ONE standard
//! gzip member (pigz's method): the input is cut into blocks, each block is
//! deflated on a worker with the previous 32 KiB as preset dictionary and
//! ended with a sync flush, and the blocks are written in order under one
//! header, one combined CRC-32 and one length. Any gunzip reads the result.
//! Memory is bounded: a fixed number of blocks is in flight at once.

use std::io::{self, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use flate2::{Compress, Compression, FlushCompress};

/// Input per block: large enough that the 5-byte sync marker and the
/// dictionary restart cost nothing measurable, small enough to keep all cores busy.
const BLOCK: usize = 1 << 20;
/// Deflate's window: what each block may refer back to.
const DICTIONARY: usize = 32 * 1024;

struct Job {
    data: Vec<u8>,
    dictionary: Vec<u8>,
    done: SyncSender<io::Result<Block>>,
}

struct Block {
    deflated: Vec<u8>,
    crc: crc32fast::Hasher,
}

pub struct ParallelGzWriter<W: Write + Send + 'static> {
    buffer: Vec<u8>,
    dictionary: Vec<u8>,
    jobs: Option<SyncSender<Job>>,
    order: Option<SyncSender<Receiver<io::Result<Block>>>>,
    workers: Vec<JoinHandle<()>>,
    writer: Option<JoinHandle<io::Result<W>>>,
}

impl<W: Write + Send + 'static> ParallelGzWriter<W> {
    /// Compresses at `level` (0-9) on `threads` workers into `out`.
    pub fn new(mut out: W, level: u32, threads: usize) -> io::Result<Self> {
        let threads = threads.max(1);
        // 10-byte header: magic, deflate, no flags, no mtime, XFL, OS = Unix.
        let xfl = match level {
            9 => 2,
            0 | 1 => 4,
            _ => 0,
        };
        out.write_all(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 3])?;
        let (jobs_tx, jobs_rx) = sync_channel::<Job>(threads);
        let jobs_rx = Arc::new(Mutex::new(jobs_rx));
        let workers = (0..threads)
            .map(|i| {
                let jobs = jobs_rx.clone();
                std::thread::Builder::new()
                    .name(format!("gzip-{i}"))
                    .spawn(move || work(jobs, level))
            })
            .collect::<io::Result<Vec<_>>>()?;
        // Blocks queued for writing bound the memory: at most this many
        // finished or pending blocks exist besides the ones being compressed.
        let (order_tx, order_rx) = sync_channel::<Receiver<io::Result<Block>>>(threads * 2);
        let writer = std::thread::Builder::new()
            .name("gzip-writer".into())
            .spawn(move || write_in_order(out, order_rx))?;
        Ok(ParallelGzWriter {
            buffer: Vec::with_capacity(BLOCK),
            dictionary: Vec::new(),
            jobs: Some(jobs_tx),
            order: Some(order_tx),
            workers,
            writer: Some(writer),
        })
    }

    fn dispatch(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let data = std::mem::replace(&mut self.buffer, Vec::with_capacity(BLOCK));
        let tail = data.len().saturating_sub(DICTIONARY);
        let next_dictionary = data[tail..].to_vec();
        let (done, result) = sync_channel(1);
        let job = Job {
            data,
            dictionary: std::mem::replace(&mut self.dictionary, next_dictionary),
            done,
        };
        let sent = self.order.as_ref().is_some_and(|o| o.send(result).is_ok())
            && self.jobs.as_ref().is_some_and(|j| j.send(job).is_ok());
        if sent { Ok(()) } else { Err(self.stopped()) }
    }

    /// Why the pipeline stopped taking blocks: the writer thread's own
    /// error (a full disk says "No space left on device"), not just that
    /// it stopped.
    fn stopped(&mut self) -> io::Error {
        match self.shutdown() {
            Err(e) => e,
            Ok(_) => io::Error::other("the gzip writer stopped early"),
        }
    }

    /// Writes the last blocks and the trailer; returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.dispatch()?;
        self.shutdown()
    }

    fn shutdown(&mut self) -> io::Result<W> {
        self.jobs = None;
        self.order = None;
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
        match self.writer.take() {
            Some(writer) => writer
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the gzip writer panicked"))),
            None => Err(io::Error::other("the gzip writer already finished")),
        }
    }
}

impl<W: Write + Send + 'static> Write for ParallelGzWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = buf.len().min(BLOCK - self.buffer.len());
        self.buffer.extend_from_slice(&buf[..n]);
        if self.buffer.len() == BLOCK {
            self.dispatch()?;
        }
        Ok(n)
    }

    /// Blocks are only complete once `finish` runs; flushing early would
    /// shrink blocks and cost ratio for nothing.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<W: Write + Send + 'static> Drop for ParallelGzWriter<W> {
    fn drop(&mut self) {
        if self.writer.is_some() {
            let _ = self.shutdown();
        }
    }
}

fn work(jobs: Arc<Mutex<Receiver<Job>>>, level: u32) {
    let mut deflate = Compress::new(Compression::new(level), false);
    loop {
        // The lock is held only while taking a job, never while compressing.
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        let result = compress_block(&mut deflate, &job.data, &job.dictionary);
        let _ = job.done.send(result);
    }
}

fn compress_block(deflate: &mut Compress, data: &[u8], dictionary: &[u8]) -> io::Result<Block> {
    deflate.reset();
    if !dictionary.is_empty() {
        deflate
            .set_dictionary(dictionary)
            .map_err(|e| io::Error::other(format!("deflate dictionary: {e}")))?;
    }
    // deflateBound plus room for the sync marker.
    let mut deflated = Vec::with_capacity(data.len() + data.len() / 1000 + 1024);
    let mut consumed = 0;
    loop {
        let before = deflate.total_in();
        deflate
            .compress_vec(&data[consumed..], &mut deflated, FlushCompress::Sync)
            .map_err(|e| io::Error::other(format!("deflate: {e}")))?;
        consumed += (deflate.total_in() - before) as usize;
        // Done when all input is in and the flush left spare room (so it
        // had nothing more to emit).
        if consumed == data.len() && deflated.len() < deflated.capacity() {
            break;
        }
        deflated.reserve(64 * 1024);
    }
    let mut crc = crc32fast::Hasher::new();
    crc.update(data);
    Ok(Block { deflated, crc })
}

fn write_in_order<W: Write>(
    mut out: W,
    order: Receiver<Receiver<io::Result<Block>>>,
) -> io::Result<W> {
    let mut crc = crc32fast::Hasher::new();
    for pending in order {
        let block = pending
            .recv()
            .map_err(|_| io::Error::other("a gzip worker stopped"))??;
        out.write_all(&block.deflated)?;
        crc.combine(&block.crc);
    }
    // Sync-flushed blocks are not final: close the stream with an empty
    // final block.
    let mut last = Compress::new(Compression::new(1), false);
    let mut end = Vec::with_capacity(64);
    last.compress_vec(&[], &mut end, FlushCompress::Finish)
        .map_err(|e| io::Error::other(format!("deflate: {e}")))?;
    out.write_all(&end)?;
    out.write_all(&crc.clone().finalize().to_le_bytes())?;
    out.write_all(&(crc.total_len() as u32).to_le_bytes())?;
    out.flush()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        // A single-member decoder: the output must be ONE gzip member.
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    fn sample(len: usize) -> Vec<u8> {
        let mut x: u32 = 7;
        (0..len)
            .map(|i| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                if i % 3 == 0 {
                    b"steward "[i % 8]
                } else {
                    (x >> 24) as u8 % 16
                }
            })
            .collect()
    }

    #[test]
    fn output_is_one_standard_gzip_member_across_many_blocks() {
        let data = sample(BLOCK * 3 + 12345);
        let mut writer = ParallelGzWriter::new(Vec::new(), 6, 3).unwrap();
        for chunk in data.chunks(7777) {
            writer.write_all(chunk).unwrap();
        }
        let gz = writer.finish().unwrap();
        assert_eq!(gunzip(&gz), data);
        assert!(gz.len() < data.len(), "compressible input did not shrink");
    }

    #[test]
    fn empty_input_is_a_valid_empty_gzip() {
        let gz = ParallelGzWriter::new(Vec::new(), 6, 2)
            .unwrap()
            .finish()
            .unwrap();
        assert!(gunzip(&gz).is_empty());
    }

    /// Takes the gzip header, then refuses every write as a full disk does.
    struct FullAfterHeader {
        header_written: bool,
    }

    impl Write for FullAfterHeader {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.header_written {
                return Err(io::Error::from(rustix::io::Errno::NOSPC));
            }
            self.header_written = true;
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_full_disk_is_reported_as_such_not_as_a_stopped_writer() {
        let out = FullAfterHeader {
            header_written: false,
        };
        let mut writer = ParallelGzWriter::new(out, 1, 2).unwrap();
        let data = sample(BLOCK);
        let err = (0..64)
            .find_map(|_| writer.write_all(&data).err())
            .or_else(|| writer.finish().err())
            .expect("a full disk fails the write");
        assert_eq!(err.kind(), io::ErrorKind::StorageFull, "{err}");
        assert!(err.to_string().contains("No space left on device"), "{err}");
    }

    #[test]
    fn gnu_gzip_accepts_the_output() {
        let Ok(status) = std::process::Command::new("gzip").arg("--version").output() else {
            return; // gzip is not installed here
        };
        assert!(status.status.success());
        let data = sample(BLOCK * 2 + 99);
        let mut writer = ParallelGzWriter::new(Vec::new(), 6, 2).unwrap();
        writer.write_all(&data).unwrap();
        let gz = writer.finish().unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x.gz"), &gz).unwrap();
        let out = std::process::Command::new("gzip")
            .args(["-t", "-v"])
            .arg(dir.path().join("x.gz"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
