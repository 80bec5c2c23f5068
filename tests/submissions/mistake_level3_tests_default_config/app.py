"""Flask Club, level 3 without extensions: the factory lives in the package `club`."""

from club import create_app

if __name__ == "__main__":
    create_app().run(debug=True)
