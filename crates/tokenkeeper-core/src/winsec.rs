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
    ConvertSecurityDescriptorToStringSecurityDescriptorW, ConvertSidToStringSidW,
    ConvertStringSecurityDescriptorToSecurityDescriptorW, SDDL_REVISION_1, SE_FILE_OBJECT,
    SetNamedSecurityInfoW,
};
use windows_sys::Win32::Security::{
    ACL, DACL_SECURITY_INFORMATION, GetLengthSid, GetSecurityDescriptorDacl, GetTokenInformation,
    PROTECTED_DACL_SECURITY_INFORMATION, SECURITY_ATTRIBUTES, TOKEN_QUERY, TOKEN_USER, TokenUser,
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
            let out = wide_to_string(text);
            LocalFree(text as *mut c_void);
            out
        }
    }
}

/// A NUL-terminated UTF-16 string Windows wrote.
///
/// # Safety
/// `text` points to a NUL-terminated UTF-16 string.
unsafe fn wide_to_string(text: *const u16) -> Option<String> {
    let mut len = 0;
    // SAFETY: read up to the NUL the caller promises.
    unsafe {
        while *text.add(len) != 0 {
            len += 1;
        }
        String::from_utf16(std::slice::from_raw_parts(text, len)).ok()
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

    /// Its DACL in SDDL, as Windows writes it back.
    pub fn dacl_sddl(&self) -> Option<String> {
        let mut text: *mut u16 = std::ptr::null_mut();
        // SAFETY: `self.0` is a valid descriptor; the string Windows allocates is read up to
        // its NUL and freed once.
        unsafe {
            if ConvertSecurityDescriptorToStringSecurityDescriptorW(
                self.0,
                SDDL_REVISION_1,
                DACL_SECURITY_INFORMATION,
                &mut text,
                std::ptr::null_mut(),
            ) == 0
            {
                return None;
            }
            let out = wide_to_string(text);
            LocalFree(text as *mut c_void);
            out
        }
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

/// Closes the folder `path` to everyone but this user, as `chmod 0700` does: a protected DACL
/// (nothing inherited from its parent any more) with one entry, full access for this user,
/// which the files and folders made in it inherit.
pub fn keep_folder_to_current_user(path: &std::path::Path) -> std::io::Result<()> {
    use std::os::windows::ffi::OsStrExt;
    let descriptor = Descriptor::current_user_only("OICI")?;
    let mut present = 0;
    let mut defaulted = 0;
    let mut dacl: *mut ACL = std::ptr::null_mut();
    // SAFETY: `descriptor` is a valid descriptor made by Windows; the DACL pointer points into
    // it and is used only while it lives.
    let ok =
        unsafe { GetSecurityDescriptorDacl(descriptor.0, &mut present, &mut dacl, &mut defaulted) };
    if ok == 0 || present == 0 || dacl.is_null() {
        return Err(std::io::Error::other("the descriptor made has no DACL"));
    }
    let wide: Vec<u16> = path
        .as_os_str()
        .encode_wide()
        .chain(std::iter::once(0))
        .collect();
    // SAFETY: `wide` is NUL-terminated and outlives the call; `dacl` is valid (above); owner,
    // group and SACL are left as they are (null).
    let status = unsafe {
        SetNamedSecurityInfoW(
            wide.as_ptr(),
            SE_FILE_OBJECT,
            DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            dacl,
            std::ptr::null(),
        )
    };
    if status != 0 {
        return Err(std::io::Error::from_raw_os_error(status as i32));
    }
    Ok(())
}

impl Drop for Descriptor {
    fn drop(&mut self) {
        // SAFETY: allocated by ConvertStringSecurityDescriptorToSecurityDescriptorW, freed once.
        unsafe { LocalFree(self.0) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What TokenKeeper asks Windows for: this user alone, nothing inherited, passed on to a
    /// folder's files and subfolders (run under Wine by scripts/wine.sh).
    #[test]
    fn the_descriptor_grants_this_user_alone() {
        let sid = Sid::current().and_then(|s| s.to_sddl()).unwrap();
        assert!(sid.starts_with("S-1-5-"), "{sid}");
        let folder = Descriptor::current_user_only("OICI").unwrap();
        assert_eq!(
            folder.dacl_sddl().unwrap(),
            format!("D:P(A;OICI;GA;;;{sid})")
        );
        let pipe = Descriptor::current_user_only("").unwrap();
        assert_eq!(pipe.dacl_sddl().unwrap(), format!("D:P(A;;GA;;;{sid})"));
    }

    #[test]
    fn a_folder_is_closed_to_others_and_a_missing_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        keep_folder_to_current_user(dir.path()).unwrap();
        let err = keep_folder_to_current_user(&dir.path().join("missing")).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound, "{err}");
    }

    #[test]
    fn this_process_is_its_own_user() {
        assert_eq!(Sid::of_process(std::process::id()), Sid::current());
    }
}
