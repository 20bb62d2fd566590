"""Cognito's own emails: sign-up, resend and attribute-verification codes, forgot-password codes and
admin invitations land in the SES outbox, and the confirm calls check the codes they carried.

moto sends nothing: SignUp reports delivery by EMAIL while no email exists, ConfirmSignUp accepts any
code, ForgotPassword hands its code back in an `x-moto-...` header, ResendConfirmationCode and the
attribute-verification calls are not served, and AdminCreateUser without a TemporaryPassword leaves the
user with no password. This WSGI layer sits between AwsFront and moto, so it sees exactly the requests
AwsFront lets through, and for the operations below it does what Cognito does around moto's own work
(moto still creates, confirms and updates the users). Every other request passes straight to moto.

The emails are appended to moto's SES `sent_messages` as raw MIME messages, the store every other email
uses, so the console, `localcloud outbox` and state snapshots see them with no special case. They do
not count against the account's SES quota: Cognito's default sender is Cognito's own SES account.

Codes are checked unless Cognito would have texted them: localcloud sends no SMS, so those users keep
moto's behaviour (any code). A user who was sent no code at all cannot confirm with one, as on AWS.
Cognito's brute-force limits are not emulated.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from moto.ses.models import RawMessage, ses_backends
from moto.ses.utils import get_random_message_id

from localcloud.front import cognito_users as users
from localcloud.front.cognito_codes import FORGOT_PASSWORD, SIGN_UP, VERIFY_EMAIL, CodeStore
from localcloud.front.cognito_messages import Email, invitation, sender, verification
from localcloud.front.errors import Response, json_response
from localcloud.front.identity import CognitoError
from localcloud.wsgi import call_wsgi

if TYPE_CHECKING:
    from moto.cognitoidp.models import CognitoIdpUser, CognitoIdpUserPool

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
_NO_SUCH_USER = "Username/client id combination not found."

Flow = Callable[[dict, dict], Response]


class CognitoMail:
    """WSGI app wrapping moto's: the code and invitation flows of Cognito user pools."""

    def __init__(self, app: Callable, *, read_body: Callable[[dict], bytes], clock: Callable[[], float] = time.time):
        """`read_body` is AwsFront's reader (it caches the body so moto can read it again); it is passed
        in because AwsFront's module imports this one."""
        self.app = app
        self._read_body = read_body
        self.clock = clock
        self.codes = CodeStore(clock=lambda: self.clock())
        self._flows: dict[str, Flow] = {
            "SignUp": self._sign_up,
            "ConfirmSignUp": self._confirm_sign_up,
            "ResendConfirmationCode": self._resend_confirmation_code,
            "ForgotPassword": self._forgot_password,
            "ConfirmForgotPassword": self._confirm_forgot_password,
            "GetUserAttributeVerificationCode": self._get_user_attribute_verification_code,
            "VerifyUserAttribute": self._verify_user_attribute,
            "AdminCreateUser": self._admin_create_user,
        }

    def reset(self) -> None:
        """Forget every issued code (runtime reset wipes the users they belong to)."""
        self.codes.reset()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET") or ""
        flow = self._flows.get(target[len(TARGET_PREFIX) :]) if target.startswith(TARGET_PREFIX) else None
        if flow is None:
            if environ.get("PATH_INFO", "").startswith("/moto-api/reset"):
                self.codes.reset()
            return self.app(environ, start_response)
        try:
            payload = json.loads(self._read_body(environ) or b"{}")
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            return self.app(environ, start_response)  # moto words the serialization error
        try:
            status, headers, body = flow(environ, payload)
        except CognitoError as error:
            status, headers, body = json_response(error.status, {"__type": error.code, "message": error.message})
        start_response(status, headers)
        return [body]

    # flows ----------------------------------------------------------------------------------------
    def _sign_up(self, environ: dict, payload: dict) -> Response:
        """moto creates the user; the code goes where Cognito would send it, and the response says so."""
        response = self._forward(environ)
        found = self._client_user(payload) if response[0].startswith("200") else None
        if found is None:
            return response
        pool, user = found
        result = json.loads(response[2])
        result.pop("CodeDeliveryDetails", None)
        delivery = users.sign_up_delivery(pool, user)
        if delivery is not None:
            if delivery.medium == users.EMAIL:
                self._send_code(pool, user, SIGN_UP, delivery)
            result["CodeDeliveryDetails"] = delivery.details()
        return json_response(200, result)

    def _confirm_sign_up(self, environ: dict, payload: dict) -> Response:
        found = self._client_user(payload)
        if found is None:
            return self._forward(environ)
        pool, user = found
        if not self.codes.has(pool.id, user.username, SIGN_UP) and _texted(users.sign_up_delivery(pool, user)):
            return self._forward(environ)
        if users.is_confirmed(user):
            raise CognitoError("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
        self.codes.check(pool.id, user.username, SIGN_UP, payload.get("ConfirmationCode"))
        response = self._forward(environ)
        if response[0].startswith("200"):
            self.codes.discard(pool.id, user.username, SIGN_UP)
            users.mark_verified(user, "email")
        return response

    def _resend_confirmation_code(self, environ: dict, payload: dict) -> Response:
        """Not served by moto: a fresh code (the old one stops working), sent as SignUp sends it."""
        client_id = payload.get("ClientId")
        pool = users.pool_of_client(client_id)
        if pool is None:
            raise CognitoError("ResourceNotFoundException", f"User pool client {client_id} does not exist.")
        user = users.find_user(pool, payload.get("Username"))
        if user is None:
            if users.prevents_existence_errors(pool, client_id):
                return json_response(200, {"CodeDeliveryDetails": _pretend_details(payload.get("Username"))})
            raise CognitoError("UserNotFoundException", _NO_SUCH_USER)
        if users.is_confirmed(user):
            raise CognitoError("InvalidParameterException", "User is already confirmed.")
        delivery = users.sign_up_delivery(pool, user)
        if delivery is None:
            raise CognitoError("InvalidParameterException", "Auto verification not turned on.")
        if delivery.medium == users.EMAIL:
            self._send_code(pool, user, SIGN_UP, delivery)
        return json_response(200, {"CodeDeliveryDetails": delivery.details()})

    def _forgot_password(self, environ: dict, payload: dict) -> Response:
        found = self._client_user(payload)
        if found is None:
            return self._forward(environ)  # moto answers unknown users as Cognito does: with made-up details
        pool, user = found
        delivery = users.recovery_delivery(pool, user)
        response = self._forward(environ)
        if delivery is None or delivery.medium != users.EMAIL or not response[0].startswith("200"):
            return response
        users.forget_motos_code(user)
        self._send_code(pool, user, FORGOT_PASSWORD, delivery)
        return json_response(200, {"CodeDeliveryDetails": delivery.details()})

    def _confirm_forgot_password(self, environ: dict, payload: dict) -> Response:
        found = self._client_user(payload)
        if found is None:
            return self._forward(environ)
        pool, user = found
        if not self.codes.has(pool.id, user.username, FORGOT_PASSWORD) and _texted(_recovery_delivery(pool, user)):
            return self._forward(environ)
        self.codes.check(pool.id, user.username, FORGOT_PASSWORD, payload.get("ConfirmationCode"))
        users.check_password(pool, payload.get("Password"))
        response = self._forward(environ)
        if response[0].startswith("200"):
            self.codes.discard(pool.id, user.username, FORGOT_PASSWORD)
        return response

    def _get_user_attribute_verification_code(self, environ: dict, payload: dict) -> Response:
        """Not served by moto: a code to verify the user's email address (other attributes: moto)."""
        if payload.get("AttributeName") != "email":
            return self._forward(environ)
        pool, user = self._token_user(payload)
        address = user.attribute_lookup.get("email")
        if not address:
            raise CognitoError("InvalidParameterException", "User does not have an email attribute to verify.")
        delivery = users.Delivery(users.EMAIL, "email", address)
        self._send_code(pool, user, VERIFY_EMAIL, delivery)
        return json_response(200, {"CodeDeliveryDetails": delivery.details()})

    def _verify_user_attribute(self, environ: dict, payload: dict) -> Response:
        if payload.get("AttributeName") != "email":
            return self._forward(environ)
        pool, user = self._token_user(payload)
        self.codes.check(pool.id, user.username, VERIFY_EMAIL, payload.get("Code"))
        self.codes.discard(pool.id, user.username, VERIFY_EMAIL)
        users.mark_verified(user, "email")
        return json_response(200, {})

    def _admin_create_user(self, environ: dict, payload: dict) -> Response:
        """The invitation: the temporary password (generated when none is given) by email when
        DesiredDeliveryMediums asks for EMAIL (Cognito's default is SMS), unless MessageAction=SUPPRESS."""
        action = payload.get("MessageAction")
        pool = users.pool_by_id(payload.get("UserPoolId"))
        if action == "SUPPRESS" or pool is None:
            return self._forward(environ)
        password = payload.get("TemporaryPassword") or users.temporary_password(pool)
        if action == "RESEND":
            user = users.find_user(pool, payload.get("Username"))
            if user is None:
                raise CognitoError("UserNotFoundException", "User does not exist.")
            if not users.is_awaiting_first_sign_in(user):
                raise CognitoError(
                    "UnsupportedUserStateException",
                    f"Resend not possible. {user.username} status is {getattr(user.status, 'value', user.status)}",
                )
            users.set_temporary_password(user, password)
            response = json_response(200, {"User": users.user_json(user)})
        else:
            response = self._forward(environ, {**payload, "TemporaryPassword": password})
            user = users.find_user(pool, payload.get("Username")) if response[0].startswith("200") else None
        address = user.attribute_lookup.get("email") if user is not None else None
        if address and "EMAIL" in (payload.get("DesiredDeliveryMediums") or ["SMS"]):
            subject, body = invitation(users.config(pool), password=password, username=user.username)
            self._post(pool, address, subject, body)
        return response

    # helpers --------------------------------------------------------------------------------------
    def _client_user(self, payload: dict) -> tuple[CognitoIdpUserPool, CognitoIdpUser] | None:
        """The (pool, user) a ClientId + Username request names, or None for moto to answer."""
        pool = users.pool_of_client(payload.get("ClientId"))
        user = users.find_user(pool, payload.get("Username")) if pool is not None else None
        return (pool, user) if user is not None else None

    def _token_user(self, payload: dict) -> tuple[CognitoIdpUserPool, CognitoIdpUser]:
        found = users.user_of_token(payload.get("AccessToken"))
        if found is None:
            raise CognitoError("NotAuthorizedException", "Invalid Access Token")
        return found

    def _send_code(
        self, pool: CognitoIdpUserPool, user: CognitoIdpUser, purpose: str, delivery: users.Delivery
    ) -> None:
        code = self.codes.issue(pool.id, user.username, purpose)
        allow_link = purpose == SIGN_UP
        subject, body = verification(users.config(pool), code=code, username=user.username, allow_link=allow_link)
        self._post(pool, delivery.address, subject, body)

    def _post(self, pool: CognitoIdpUserPool, to: str, subject: str, body: str) -> None:
        """Put the email in the pool's account and region's SES outbox, as a raw MIME message."""
        source, reply_to = sender(users.config(pool))
        mail = Email(source, to, subject, body, reply_to)
        raw = mail.mime(sent_at=self.clock())
        ses_backends[pool.account_id][pool.region].sent_messages.append(
            RawMessage(get_random_message_id(), source, [to], raw)
        )

    def _forward(self, environ: dict, payload: dict | None = None) -> Response:
        """moto's answer to the request (with `payload` as its body, when given)."""
        if payload is not None:
            body = json.dumps(payload).encode()
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ["localcloud.body"] = body
        status, headers, data = call_wsgi(self.app, environ)
        return status, list(headers), data


def _texted(delivery: users.Delivery | None) -> bool:
    """Whether Cognito would have sent this code by SMS, which localcloud does not: moto's rules stay."""
    return delivery is not None and delivery.medium == users.SMS


def _recovery_delivery(pool: CognitoIdpUserPool, user: CognitoIdpUser) -> users.Delivery | None:
    try:
        return users.recovery_delivery(pool, user)
    except CognitoError:  # no verified address: no code can have been sent
        return None


def _pretend_details(username: Any) -> dict[str, str]:
    """What Cognito answers for an unknown user when the client prevents user-existence errors."""
    name = username if isinstance(username, str) else ""
    address = name if "@" in name else f"{name or 'user'}@example.com"
    return users.Delivery(users.EMAIL, "email", address).details()
