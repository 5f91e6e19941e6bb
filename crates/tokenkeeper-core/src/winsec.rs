//! Windows security for what only this user may reach: the user's SID (from a process's
//! token), and security descriptors from SDDL that grant only that SID. The token agent's
//! named pipe ([`crate::local::windows`]) and `exec --token-file`'s folder use them, as the
//! 0700/0600 modes and `SO_PEERCRED` do on Unix.
//!
//! One of the two modules allowed `unsafe` (Win32 calls have no safe wrapper we trust); every
//! block says why it is sound.
#![allow(unsafe_code)]

use std::ffi::c_void;

use windows_sys::Win32::Foundation::{CloseHandle, HANDLE, LocalFree};
use windows_sys::Win32::Security::Authorization::{
    ConvertSidToStringSidW, ConvertStringSecurityDescriptorToSecurityDescriptorW, SDDL_REVISION_1,
};
use windows_sys::Win32::Security::{
    GetLengthSid, GetTokenInformation, SECURITY_ATTRIBUTES, TOKEN_QUERY, TOKEN_USER, TokenUser,
};
use windows_sys::Win32::System::Threading::{
    GetCurrentProcess, OpenProcess, OpenProcessToken, PROCESS_QUERY_LIMITED_INFORMATION,
};

/// Keeps this process's heap, where its secrets are, out of the crash reports Windows Error
/// Reporting makes (`WER_FAULT_REPORTING_FLAG_NOHEAP`). `Ok(false)` where WER does not offer it
/// (Wine). Another process of the same user can still read this one's memory: Windows has no
/// counterpart of Linux's non-dumpable flag (SECURITY.md).
pub fn keep_heap_out_of_crash_reports() -> Result<bool, String> {
    use windows_sys::Win32::Foundation::E_NOTIMPL;
    use windows_sys::Win32::System::ErrorReporting::{
        WER_FAULT_REPORTING_FLAG_NOHEAP, WerSetFlags,
    };
    // SAFETY: a plain call with a flag value.
    let result = unsafe { WerSetFlags(WER_FAULT_REPORTING_FLAG_NOHEAP) };
    match result {
        0 => Ok(true),
        E_NOTIMPL => Ok(false),
        other => Err(format!("WerSetFlags failed (HRESULT {other:#010x})")),
    }
}

/// A user's security identifier, as its bytes (compared byte for byte).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sid(Vec<u8>);

impl Sid {
    /// The user this process runs as (read from its token once).
    pub fn current() -> Option<Self> {
        static OWN: std::sync::OnceLock<Option<Sid>> = std::sync::OnceLock::new();
        OWN.get_or_init(|| {
            // SAFETY: the pseudo-handle of the current process needs no closing.
            token_user(unsafe { GetCurrentProcess() })
        })
        .clone()
    }

    /// The user the process `pid` runs as (`None` when it cannot be asked: refuse then).
    pub fn of_process(pid: u32) -> Option<Self> {
        // SAFETY: a plain call; a null handle means failure.
        let process = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) };
        if process.is_null() {
            return None;
        }
        let sid = token_user(process);
        // SAFETY: `process` was opened above and is closed once.
        unsafe { CloseHandle(process) };
        sid
    }

    /// Its string form (`S-1-5-21-…`), for SDDL.
    pub fn to_sddl(&self) -> Option<String> {
        let mut text: *mut u16 = std::ptr::null_mut();
        // SAFETY: `self.0` holds a whole SID (copied from a token); the string Windows allocates
        // is read up to its NUL and freed once.
        unsafe {
            if ConvertSidToStringSidW(self.0.as_ptr() as *mut c_void, &mut text) == 0 {
                return None;
            }
            let mut len = 0;
            while *text.add(len) != 0 {
                len += 1;
            }
            let out = String::from_utf16(std::slice::from_raw_parts(text, len)).ok();
            LocalFree(text as *mut c_void);
            out
        }
    }
}

/// The user of `process`'s token.
fn token_user(process: HANDLE) -> Option<Sid> {
    let mut token: HANDLE = std::ptr::null_mut();
    // SAFETY: plain calls with out-pointers to locals; the token is closed once below.
    unsafe {
        if OpenProcessToken(process, TOKEN_QUERY, &mut token) == 0 {
            return None;
        }
        let mut len = 0_u32;
        GetTokenInformation(token, TokenUser, std::ptr::null_mut(), 0, &mut len);
        // u64 words: TOKEN_USER is pointer-aligned.
        let mut buffer = vec![0_u64; (len as usize).div_ceil(8)];
        let ok = len > 0
            && GetTokenInformation(token, TokenUser, buffer.as_mut_ptr().cast(), len, &mut len)
                != 0;
        let sid = if ok {
            let user = &*(buffer.as_ptr() as *const TOKEN_USER);
            let sid = user.User.Sid;
            let sid_len = GetLengthSid(sid) as usize;
            Some(Sid(
                std::slice::from_raw_parts(sid as *const u8, sid_len).to_vec()
            ))
        } else {
            None
        };
        CloseHandle(token);
        sid
    }
}

/// A security descriptor made from SDDL, freed when dropped.
#[derive(Debug)]
pub struct Descriptor(*mut c_void);

// SAFETY: the descriptor is written once by Windows and only read afterwards.
unsafe impl Send for Descriptor {}
// SAFETY: as above.
unsafe impl Sync for Descriptor {}

impl Descriptor {
    /// Full access for this user alone, nobody else (no inherited entries): `ace_flags` are
    /// SDDL's (`OICI` for a folder whose files and subfolders inherit it, empty for a pipe).
    pub fn current_user_only(ace_flags: &str) -> std::io::Result<Self> {
        let sid = Sid::current()
            .and_then(|s| s.to_sddl())
            .ok_or_else(|| std::io::Error::other("cannot tell which user this process runs as"))?;
        Self::from_sddl(&format!("D:P(A;{ace_flags};GA;;;{sid})"))
    }

    /// The descriptor `sddl` describes.
    pub fn from_sddl(sddl: &str) -> std::io::Result<Self> {
        let wide: Vec<u16> = sddl.encode_utf16().chain(std::iter::once(0)).collect();
        let mut descriptor: *mut c_void = std::ptr::null_mut();
        // SAFETY: `wide` is NUL-terminated; Windows allocates the descriptor, freed in Drop.
        let ok = unsafe {
            ConvertStringSecurityDescriptorToSecurityDescriptorW(
                wide.as_ptr(),
                SDDL_REVISION_1,
                &mut descriptor,
                std::ptr::null_mut(),
            )
        };
        if ok == 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Self(descriptor))
    }

    /// Attributes that carry this descriptor (valid while `self` lives).
    pub fn attributes(&self) -> SECURITY_ATTRIBUTES {
        SECURITY_ATTRIBUTES {
            nLength: std::mem::size_of::<SECURITY_ATTRIBUTES>() as u32,
            lpSecurityDescriptor: self.0,
            bInheritHandle: 0,
        }
    }
}

impl Drop for Descriptor {
    fn drop(&mut self) {
        // SAFETY: allocated by ConvertStringSecurityDescriptorToSecurityDescriptorW, freed once.
        unsafe { LocalFree(self.0) };
    }
}
