//! The window's commands. They are declared once, in `tokenkeeper-app-core`'s
//! [`with_commands!`](tokenkeeper_app_core::with_commands) list; here that list makes the Tauri
//! command wrappers and their [`handler`], and the shell's [`WindowApi`] implementation holds
//! each command's body (one line or a few into the backend, where the logic lives). `build.rs`
//! makes one permission per command from the same list, and the window's capability grants
//! exactly those. Errors reach the UI as [`AppError`] (`{code, message, kind, api, certificate}`).

use tokenkeeper_app_core::autostart::Autostart;
use tokenkeeper_app_core::commands::WindowApi;

use crate::dto::{
    AccountForm, AccountInfo, AppSettings, Copied, Discovery, LoginForm, Overview, Revealed,
};
use crate::error::{AppError, ErrorCode};
use crate::shell::Started;
use tokenkeeper_core::keeper::AccountView;

pub use tokenkeeper_app_core::commands::NAMES;

impl WindowApi for Started {
    async fn get_overview(&self) -> Result<Overview, AppError> {
        Ok(self.get().await?.backend.overview().await)
    }

    async fn get_account(&self, id: String) -> Result<AccountInfo, AppError> {
        self.get().await?.backend.details(&id).await
    }

    async fn add_account(&self, form: AccountForm) -> Result<AccountView, AppError> {
        self.get().await?.backend.add(form).await
    }

    async fn edit_account(&self, id: String, form: AccountForm) -> Result<AccountView, AppError> {
        self.get().await?.backend.edit(&id, form).await
    }

    async fn pin_account(&self, id: String, pinned: bool) -> Result<AccountView, AppError> {
        self.get().await?.backend.pin(&id, pinned).await
    }

    async fn remove_account(&self, id: String) -> Result<(), AppError> {
        self.get().await?.backend.remove(&id).await
    }

    async fn login_account(&self, id: String, form: LoginForm) -> Result<AccountView, AppError> {
        self.get().await?.backend.login(&id, form).await
    }

    async fn discover_oauth(&self, form: AccountForm) -> Result<Discovery, AppError> {
        self.get().await?.backend.discover(&form).await
    }

    async fn cancel_sign_in(&self) -> Result<bool, AppError> {
        Ok(self.get().await?.backend.cancel_sign_in())
    }

    async fn open_sign_in(&self) -> Result<(), AppError> {
        self.get().await?.backend.open_sign_in()
    }

    async fn copy_sign_in_code(&self) -> Result<(), AppError> {
        self.get().await?.backend.copy_sign_in_code().await
    }

    async fn refresh_account(&self, id: String) -> Result<(), AppError> {
        self.get().await?.backend.refresh(&id).await
    }

    async fn copy_token(&self, id: String) -> Result<Copied, AppError> {
        self.get().await?.backend.copy(&id).await
    }

    async fn copy_header(&self, id: String) -> Result<Copied, AppError> {
        let form = tokenkeeper_app_core::background::protocol::CopyForm::Header;
        self.get().await?.backend.copy_as(&id, form).await
    }

    async fn reveal_token(&self, id: String) -> Result<Revealed, AppError> {
        self.get().await?.backend.reveal(&id).await
    }

    async fn get_settings(&self) -> Result<AppSettings, AppError> {
        let shell = self.get().await?;
        Ok(shell.backend.settings(starts_at_login(shell)))
    }

    async fn save_settings(&self, settings: AppSettings) -> Result<AppSettings, AppError> {
        let shell = self.get().await?;
        shell.backend.save_settings(&settings).await?;
        if starts_at_login(shell) != settings.autostart {
            let Some(autostart) = &shell.autostart else {
                return Err(AppError::new(
                    ErrorCode::Local,
                    "cannot change start at login: no home folder to keep it in".to_owned(),
                ));
            };
            autostart.set(settings.autostart).map_err(|e| {
                AppError::new(
                    ErrorCode::Local,
                    format!("cannot change start at login: {e}"),
                )
            })?;
        }
        Ok(shell.backend.settings(starts_at_login(shell)))
    }

    async fn check_keychain(&self) -> Result<Option<AppError>, AppError> {
        Ok(self.get().await?.backend.check_keychain().await)
    }

    /// Does not wait for the start: the log line times the first paint.
    async fn ui_painted(&self) -> Result<(), AppError> {
        crate::shell::painted();
        Ok(())
    }
}

/// From the declared list: one `#[tauri::command]` per command, calling [`WindowApi`] on the
/// managed [`Started`], and [`handler`], which registers every one of them.
macro_rules! tauri_commands {
    ($( $(#[$meta:meta])* $name:ident($($arg:ident: $ty:ty),*) -> $answer:ty; )*) => {
        $(
            $(#[$meta])*
            #[tauri::command]
            async fn $name(
                api: tauri::State<'_, Started>,
                $($arg: $ty),*
            ) -> Result<$answer, AppError> {
                WindowApi::$name(api.inner(), $($arg),*).await
            }
        )*

        /// The invoke handler with every declared command.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }
    };
}

tokenkeeper_app_core::with_commands!(tauri_commands);

/// Whether the background starts at login.
fn starts_at_login(shell: &crate::shell::Shell) -> bool {
    shell.autostart.as_ref().is_some_and(Autostart::is_enabled)
}

#[cfg(test)]
mod tests {
    use super::NAMES;

    /// The window may call exactly these commands and listen to events: no clipboard,
    /// notification, window, menu or tray permission (Rust does those).
    #[test]
    fn the_window_is_granted_only_its_commands_and_event_listening() {
        let capability: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/main.json")).unwrap();
        let granted: Vec<&str> = capability["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        let mut expected = vec!["core:event:allow-listen", "core:event:allow-unlisten"];
        let allows: Vec<String> = NAMES
            .iter()
            .map(|n| format!("allow-{}", n.replace('_', "-")))
            .collect();
        expected.extend(allows.iter().map(String::as_str));
        assert_eq!(granted, expected);
        assert_eq!(capability["windows"], serde_json::json!(["main"]));
        assert!(capability.get("remote").is_none(), "no remote content");
    }

    /// The window is granted exactly the commands its UI calls: each command in `NAMES` is
    /// called somewhere in `ui/src` (`ipc.ts`'s `backend`, or a lazy screen's own `call`), and
    /// the UI calls nothing else.
    #[test]
    fn every_granted_command_is_one_the_ui_calls() {
        fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() && !path.ends_with("bindings") {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "ts") {
                    out.push(std::fs::read_to_string(path).unwrap());
                }
            }
        }
        let mut texts = Vec::new();
        sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src"),
            &mut texts,
        );
        let mut called: Vec<&str> = texts
            .iter()
            .flat_map(|text| text.split("call(\"").skip(1))
            .filter_map(|rest| rest.split('"').next())
            .collect();
        called.sort_unstable();
        called.dedup();
        let mut granted = NAMES.to_vec();
        granted.sort_unstable();
        assert_eq!(called, granted, "the UI calls {called:?}");
    }

    /// The CSP allows nothing but the app's own files and its IPC.
    #[test]
    fn the_csp_is_strict() {
        let config: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        let csp = &config["app"]["security"]["csp"];
        assert_eq!(csp["default-src"], "'self'");
        assert_eq!(csp["script-src"], "'self'");
        assert_eq!(csp["object-src"], "'none'");
        assert_eq!(csp["connect-src"], "ipc: http://ipc.localhost");
        for (directive, value) in csp.as_object().unwrap() {
            let value = value.as_str().unwrap();
            assert!(
                !value.contains("unsafe") && !value.contains("http:") && !value.contains("https:")
                    || directive == "connect-src",
                "{directive}: {value}"
            );
        }
        assert!(
            config["build"].get("devUrl").is_none(),
            "the UI is embedded"
        );
    }
}
