import os

from flask import current_app
from flask_login import UserMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from . import db, login_manager


class Profile(db.Model):
    __tablename__ = "profiles"
    username = db.Column(db.String(64), primary_key=True)
    food = db.Column(db.String(64), nullable=False)
    message = db.Column(db.Text, nullable=False)
    photo = db.Column(db.String(64))


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(64), unique=True, index=True)
    password_hash = db.Column(db.String(256))
    confirmed = db.Column(db.Boolean, default=False, nullable=False)

    @property
    def role(self):
        admin = os.environ.get("CLUB_ADMIN")
        return "admin" if admin and self.id is not None and self.username == admin else "member"

    def is_administrator(self):
        return self.role == "admin"

    @staticmethod
    def serializer():
        return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="confirm")

    def generate_confirmation_token(self):
        return self.serializer().dumps({"confirm": self.username})

    def confirm(self, token):
        try:
            data = self.serializer().loads(token, max_age=current_app.config["CONFIRM_SECONDS"])
        except BadSignature:
            return False
        if not isinstance(data, dict) or data.get("confirm") != self.username or self.id is None:
            return False
        self.confirmed = True
        db.session.add(self)
        db.session.commit()
        return True

    @property
    def password(self):
        raise AttributeError("password is not a readable attribute")

    @password.setter
    def password(self, password):
        self.password_hash = generate_password_hash(password)

    def verify_password(self, password):
        return check_password_hash(self.password_hash, password)

    def get_id(self):
        return self.username


@login_manager.user_loader
def load_user(username):
    # a member who logged in with the club password has no row: a User not saved
    return User.query.filter_by(username=username).first() or User(username=username)
