"""Forms of a fan's account: the sign-in request, the link's button, deleting it."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length, ValidationError

from storefront.orders.fans import fan_key
from storefront.shop.forms import stripped


class SignInForm(FlaskForm):
    email = StringField(
        _l("Email"), filters=[stripped], validators=[InputRequired(), Email(), Length(max=254)]
    )
    next = HiddenField()
    submit = SubmitField(_l("Mail me a sign-in link"))


class UseLinkForm(FlaskForm):
    """The link's page asks for one press: mail scanners that open links change nothing."""

    submit = SubmitField(_l("Sign in"))


class SignOutForm(FlaskForm):
    submit = SubmitField(_l("Sign out"))


class DeleteAccountForm(FlaskForm):
    email = StringField(
        _l("Type your email to confirm"),
        filters=[stripped],
        validators=[InputRequired(), Length(max=254)],
    )
    submit = SubmitField(_l("Delete my account and my personal data"))

    def __init__(self, *args, account_key: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.account_key = account_key

    def validate_email(self, field: StringField) -> None:
        if fan_key(field.data or "") != self.account_key:
            raise ValidationError(_l("This is not the email of your account."))
