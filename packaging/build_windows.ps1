# Windows build: lean venv, PyInstaller one-folder, smoke test, Inno Setup installer.
#   powershell -ExecutionPolicy Bypass -File packaging\build_windows.ps1
# Needs Python 3.11 (py launcher) and Inno Setup 6 (iscc.exe on PATH or in the default folder).
# See docs/windows_build.md.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
Remove-Item Env:PROJ_DATA, Env:PROJ_LIB -ErrorAction SilentlyContinue
$venv = "build\frozen\venv"
if (-not (Test-Path "$venv\Scripts\python.exe")) { py -3.11 -m venv $venv }
& "$venv\Scripts\python.exe" -m pip install -U pip
& "$venv\Scripts\python.exe" -m pip install ".[packaging]"
& "$venv\Scripts\python.exe" -m pip install --no-deps --force-reinstall .
& "$venv\Scripts\pyinstaller.exe" --noconfirm --clean --distpath dist --workpath build\frozen\work packaging\ningxia_gis.spec
if ($LASTEXITCODE) { throw "pyinstaller failed" }
& "$venv\Scripts\python.exe" packaging\collect_licenses.py dist\ningxia_gis\licenses

# smoke test in a temporary folder
$w = Join-Path $env:TEMP ("ningxia_frozen_" + [guid]::NewGuid())
New-Item -ItemType Directory $w | Out-Null
$env:NINGXIA_GIS_HOME = "$w\home"
$cli = (Resolve-Path "dist\ningxia_gis\ningxia-gis.exe").Path
Push-Location $w
& $cli --version; if ($LASTEXITCODE) { throw "--version failed" }
& $cli check --demo --report x.pdf --docx x.docx --xlsx x.xlsx --gpkg x.gpkg > demo.txt
if ($LASTEXITCODE) { throw "check --demo failed" }
# redirected output under the ANSI code page (cp936 on Chinese Windows) must not crash
cmd /c "`"$cli`" check --demo > cp.txt"; if ($LASTEXITCODE) { throw "redirected output failed" }
# batch with 2 workers: spawn children must not re-run the command line (freeze_support)
New-Item -ItemType Directory fps | Out-Null
Copy-Item (Join-Path (Split-Path $cli) "_internal\ningxia_gis\sample_layers\footprints\*.geojson") fps
& $cli batch fps --out batch_out --workers 2; if ($LASTEXITCODE -gt 1) { throw "batch failed" }
$app = Start-Process (Join-Path (Split-Path $cli) "ningxia-gis-app.exe") -ArgumentList "--scenario road_crossing_redline --screenshot shots --no-restore" -PassThru -Wait
if ($app.ExitCode) { throw "the app failed" }
Pop-Location
Remove-Item Env:NINGXIA_GIS_HOME

$iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
$version = & "$venv\Scripts\python.exe" -c "import ningxia_gis; print(ningxia_gis.__version__)"
& $iscc "/DAppVersion=$version" packaging\ningxia_gis.iss
if ($LASTEXITCODE) { throw "iscc failed" }
Write-Host "installer: dist\ningxia_gis-$version-setup.exe"
