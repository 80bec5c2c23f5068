from flask import Flask
from members import members_bp


def create_app():
    app = Flask(__name__)
    app.register_blueprint(members_bp, url_prefix="/user")

    @app.route("/")
    def index():
        return "<h1>Flask Club</h1><p>See /user/&lt;name&gt; for a member.</p>"

    return app


if __name__ == "__main__":
    app = create_app()
    app.run(port=5000)
