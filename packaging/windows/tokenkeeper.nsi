; TokenKeeper's Windows installer, built by scripts/package-windows.sh with makensis (Debian's
; nsis; Tauri's NSIS bundler downloads NSIS from GitHub, which the build machines cannot reach).
; A per-user install (no administrator): the window (tokenkeeper-app.exe and WebView2Loader.dll),
; the background (tokenkeeper-background.exe, no console window) and the CLI (tokenkeeper.exe)
; in %LOCALAPPDATA%\Programs\TokenKeeper, that folder on the user's PATH, a Start menu entry,
; and, as a choice, the background at login (`tokenkeeper autostart on`: the Run key, written by
; the same code as the window's Settings). The uninstaller leaves the accounts (the config
; folder and their Credential Manager entries) unless asked: a question, default No, or /PURGE
; when silent.
;   makensis -DVERSION=0.1.0 -DBINDIR=<folder of the .exe files> -DOUTFILE=<setup.exe>
;            -DREPO=<the repository's root> [-DFAST] tokenkeeper.nsi
; Silent: setup.exe /S [/AUTOSTART] [/D=FOLDER]; Uninstall.exe /S [/PURGE]

!ifndef VERSION | BINDIR | OUTFILE | REPO
  !error "pass -DVERSION, -DBINDIR, -DOUTFILE and -DREPO (scripts/package-windows.sh does)"
!endif

; A 64-bit installer (the programs are x64; Debian's nsis has the amd64 stubs and plugins).
Target amd64-unicode
; A release installer is as small as LZMA makes it; -DFAST (the test command's debug build,
; 200 MB of debug programs) stores them as they are: 3 s instead of 30 s with zlib and minutes
; with LZMA, and it installs as fast under Wine.
!ifdef FAST
  SetCompress off
!else
  SetCompressor /SOLID lzma
!endif
RequestExecutionLevel user
ManifestDPIAware true

!include MUI2.nsh
!include FileFunc.nsh
!include LogicLib.nsh
!include Sections.nsh
!include StrFunc.nsh
!include WinMessages.nsh

${StrStr}
${UnStrStr}
${UnStrRep}

!define APP "TokenKeeper"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\TokenKeeper"
!define ENVIRONMENT "Environment"
; The window's identifier (src-tauri/tauri.conf.json): its WebView2 data folder's name.
!define IDENTIFIER "dev.tokenkeeper.desktop"

; Stops every program of ours this user runs, from whatever folder (the image names are
; ours); "not found" when none runs is no error. The window first: it would start the
; background again.
!macro STOP_PROGRAMS un
  Function ${un}StopPrograms
    nsExec::ExecToLog 'taskkill /F /IM tokenkeeper-app.exe'
    Pop $0
    nsExec::ExecToLog 'taskkill /F /IM tokenkeeper-background.exe'
    Pop $0
    nsExec::ExecToLog 'taskkill /F /IM tokenkeeper.exe'
    Pop $0
    ; A killed process lets go of its program file a moment later.
    Sleep 500
  FunctionEnd
!macroend
!insertmacro STOP_PROGRAMS ""
!insertmacro STOP_PROGRAMS "un."

Name "${APP}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\TokenKeeper"
InstallDirRegKey HKCU "Software\TokenKeeper" "InstallDir"
BrandingText "${APP} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APP}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${APP} installer"
VIAddVersionKey "CompanyName" "The TokenKeeper authors"
VIAddVersionKey "LegalCopyright" "MIT OR Apache-2.0"

!define MUI_ICON "${REPO}/icons/icon.ico"
!define MUI_UNICON "${REPO}/icons/icon.ico"
!define MUI_ABORTWARNING
!define MUI_COMPONENTSPAGE_NODESC
!define MUI_FINISHPAGE_RUN "$INSTDIR\tokenkeeper-app.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Open TokenKeeper"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Var Purge

Section "TokenKeeper (the window, the background and the tokenkeeper command)" SecMain
  SectionIn RO
  ; A running background, window or CLI (`tokenkeeper daemon` runs the background in its own
  ; process on Windows) holds its program: stopped first (an update).
  Call StopPrograms
  SetOutPath "$INSTDIR"
  File "${BINDIR}/tokenkeeper.exe"
  File "${BINDIR}/tokenkeeper-background.exe"
  File "${BINDIR}/tokenkeeper-app.exe"
  File "${BINDIR}/WebView2Loader.dll"
  File "/oname=README.md" "${REPO}/README.md"
  File "/oname=tokenkeeper.ico" "${REPO}/icons/icon.ico"
  WriteUninstaller "$INSTDIR\Uninstall.exe"
  WriteRegStr HKCU "Software\TokenKeeper" "InstallDir" "$INSTDIR"
  CreateShortCut "$SMPROGRAMS\TokenKeeper.lnk" "$INSTDIR\tokenkeeper-app.exe" "" "$INSTDIR\tokenkeeper.ico"

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "The TokenKeeper authors"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\tokenkeeper.ico"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\Uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\Uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" "$0"

  Call AddToPath
SectionEnd

Section /o "Start the background at login (keeps tokens fresh without the window)" SecLogin
  nsExec::ExecToLog '"$INSTDIR\tokenkeeper.exe" autostart on'
  Pop $0
  ${If} $0 != 0
    DetailPrint "tokenkeeper autostart on failed ($0): turn it on in the window's Settings"
  ${EndIf}
SectionEnd

Function .onInit
  ; /AUTOSTART (silent installs): the background starts at login.
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/AUTOSTART" $R1
  ${IfNot} ${Errors}
    !insertmacro SelectSection ${SecLogin}
  ${EndIf}
FunctionEnd

; Puts $INSTDIR on the user's PATH once. NSIS strings hold NSIS_MAX_STRLEN characters: a PATH
; that long is left alone (it would come back cut) and the user is told.
Function AddToPath
  ReadRegStr $0 HKCU "${ENVIRONMENT}" "Path"
  StrLen $1 $0
  IntOp $2 ${NSIS_MAX_STRLEN} - 1
  ${If} $1 >= $2
    DetailPrint "Your PATH is too long to change safely: add $INSTDIR to it yourself."
    Return
  ${EndIf}
  ${StrStr} $3 ";$0;" ";$INSTDIR;"
  ${If} $3 != ""
    Return
  ${EndIf}
  ${If} $0 == ""
    StrCpy $0 "$INSTDIR"
  ${Else}
    StrCpy $4 $0 "" -1
    ${If} $4 == ";"
      StrCpy $0 "$0$INSTDIR"
    ${Else}
      StrCpy $0 "$0;$INSTDIR"
    ${EndIf}
  ${EndIf}
  WriteRegExpandStr HKCU "${ENVIRONMENT}" "Path" "$0"
  SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
FunctionEnd

; Takes $INSTDIR off the user's PATH, every other entry kept as it was.
Function un.RemoveFromPath
  ReadRegStr $0 HKCU "${ENVIRONMENT}" "Path"
  StrLen $1 $0
  IntOp $2 ${NSIS_MAX_STRLEN} - 1
  ${If} $1 >= $2
    DetailPrint "Your PATH is too long to change safely: take $INSTDIR out of it yourself."
    Return
  ${EndIf}
  ${UnStrStr} $3 ";$0;" ";$INSTDIR;"
  ${If} $3 == ""
    Return
  ${EndIf}
  ${UnStrRep} $0 ";$0;" ";$INSTDIR;" ";"
  ; The two semicolons added around it go again.
  StrCpy $0 $0 "" 1
  StrCpy $0 $0 -1
  ${If} $0 == ""
    DeleteRegValue HKCU "${ENVIRONMENT}" "Path"
  ${Else}
    WriteRegExpandStr HKCU "${ENVIRONMENT}" "Path" "$0"
  ${EndIf}
  SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
FunctionEnd

Function un.onInit
  StrCpy $Purge 0
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/PURGE" $R1
  ${IfNot} ${Errors}
    StrCpy $Purge 1
  ${EndIf}
FunctionEnd

Section "Uninstall"
  ${IfNot} ${Silent}
    MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 \
      "Also remove your accounts and their stored secrets?$\r$\n$\r$\nChoose No to keep them for a later install." \
      IDNO keep
    StrCpy $Purge 1
    keep:
  ${EndIf}
  ; Nothing of ours may run on: a background would write the accounts' files again, and a
  ; running program cannot be deleted.
  Call un.StopPrograms
  nsExec::ExecToLog '"$INSTDIR\tokenkeeper.exe" autostart off'
  Pop $0
  ${If} $Purge == 1
    ; Each account's Credential Manager entries first, while the program is there; then the
    ; config folder (%APPDATA%\tokenkeeper\config, the accounts' settings, state and logs) and
    ; the window's WebView2 data (%LOCALAPPDATA%\<its identifier>).
    nsExec::ExecToLog '"$INSTDIR\tokenkeeper.exe" remove --all'
    Pop $0
    ${If} $0 != 0
      DetailPrint "tokenkeeper remove --all failed ($0): some Credential Manager entries may be left"
    ${EndIf}
    RMDir /r "$APPDATA\tokenkeeper"
    RMDir /r "$LOCALAPPDATA\${IDENTIFIER}"
  ${EndIf}
  Delete "$INSTDIR\tokenkeeper.exe"
  Delete "$INSTDIR\tokenkeeper-background.exe"
  Delete "$INSTDIR\tokenkeeper-app.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\README.md"
  Delete "$INSTDIR\tokenkeeper.ico"
  Delete "$INSTDIR\Uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\TokenKeeper.lnk"
  Call un.RemoveFromPath
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "Software\TokenKeeper"
SectionEnd
