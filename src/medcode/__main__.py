from medcode.cli import app

app(prog_name="medcode")
