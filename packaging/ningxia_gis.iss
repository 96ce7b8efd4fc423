; Inno Setup 6 script: a per-user installer for the PyInstaller folder dist\ningxia_gis.
;   iscc /DAppVersion=0.1.0 packaging\ningxia_gis.iss      → dist\ningxia_gis-0.1.0-setup.exe
; See docs/windows_build.md. No administrator rights needed (installs under %LOCALAPPDATA%\Programs).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "宁夏国土空间管控审查工具"
#define AppExe "ningxia-gis-app.exe"

[Setup]
AppId={{6B7E2E4C-5C39-4E0B-9B61-1F0D2A8E4C21}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=ningxia_gis
DefaultDirName={autopf}\ningxia_gis
DefaultGroupName={#AppName}
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SourceDir=..
OutputDir=dist
OutputBaseFilename=ningxia_gis-{#AppVersion}-setup
SetupIconFile=ningxia_gis\resources\icons\ningxia_gis.ico
UninstallDisplayIcon={app}\{#AppExe}
LicenseFile=LICENSE
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; the installer's own version resource
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
VersionInfoDescription={#AppName} 安装程序

[Languages]
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"
Name: "addtopath"; Description: "命令行 ningxia-gis 加入 PATH / add ningxia-gis to PATH"; Flags: unchecked

[Files]
Source: "dist\ningxia_gis\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\第三方许可 Third-party notices"; Filename: "{app}\THIRD_PARTY_NOTICES.md"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
Root: HKCU; Subkey: "Environment"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; \
  Tasks: addtopath; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
function NeedsAddPath(Dir: string): Boolean;
var
  Paths: string;
begin
  if not RegQueryStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Paths) then
  begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';') = 0;
end;
