"""Sending text messages (one-time codes, notifications) through one small interface; the backend is chosen
by ``SMS_BACKEND``.

- ``console`` (the default): writes the message to the app log. In development the pages also show the
  code (:func:`shows_code_on_page`), so the demo works without an SMS account.
- ``aliyun``: Aliyun SMS through its official SDK ``alibabacloud-dysmsapi20170525``.
- ``tencent``: Tencent Cloud SMS through its official SDK ``tencentcloud-sdk-python-sms``.

The SDKs are imported inside their backend, so the app runs without them when they are not configured.
Settings (README, "Configuration"): ``SMS_SIGN_NAME``; ``SMS_TEMPLATE_ID`` (a template with one variable,
the code: Aliyun's ``${code}``, Tencent's ``{1}``) and per purpose ``SMS_TEMPLATE_ID_REGISTER``,
``…_RESET_PASSWORD``, ``…_CHANGE_PHONE``; a notification's template per kind (``SMS_TEMPLATE_ID_PLACE_OFFERED``,
…), whose variables are the message's ``params`` (Aliyun by name, Tencent in their order);
``ALIYUN_ACCESS_KEY_ID``/``_SECRET`` (``ALIYUN_SMS_ENDPOINT``);
``TENCENT_SECRET_ID``/``_KEY``, ``TENCENT_SMS_APP_ID``, ``TENCENT_SMS_REGION``; ``SMS_TIMEOUT_SECONDS``.
Any failure of a provider (an exception, a refusal) is raised as :class:`SmsNotSent`.
"""

import json
import logging

from flask import current_app
from flask_babel import lazy_gettext as _l

from core.errors import DomainError
from core.text import mask_phone

log = logging.getLogger(__name__)


class SmsNotSent(DomainError):
    """The provider did not take the message (down, refused, misconfigured)."""

    status = 503

    def __init__(self, reason: str = ""):
        super().__init__(_l("We could not send the text message just now. Please try again in a few minutes."),
                         reason=reason)


def _setting(name: str) -> str:
    value = current_app.config.get(name) or ""
    if not value:
        raise SmsNotSent(f"{name} is not set")
    return str(value)


def template_id(purpose: str, params: dict | None = None) -> str:
    """The provider's template id for ``purpose``: ``SMS_TEMPLATE_ID_<PURPOSE>``, else (for a code, whose only
    parameter is ``code``) ``SMS_TEMPLATE_ID``. Raises :class:`SmsNotSent` when neither applies."""
    name = f"SMS_TEMPLATE_ID_{purpose.upper()}"
    if current_app.config.get(name) or set(params or {"code": ""}) != {"code"}:
        return _setting(name)
    return _setting("SMS_TEMPLATE_ID")


def _timeout() -> int:
    return int(current_app.config.get("SMS_TIMEOUT_SECONDS") or 5)


def send_console(*, phone: str, purpose: str, text: str, params: dict) -> None:
    """Write the message to the app log (development; tests), the phone masked."""
    current_app.logger.info("SMS to %s (%s): %s", mask_phone(phone), purpose, text)


def send_aliyun(*, phone: str, purpose: str, text: str, params: dict) -> None:
    """Send through Aliyun SMS (Dysmsapi 2017-05-25 ``SendSms``); a response code other than ``OK`` fails."""
    try:
        from alibabacloud_dysmsapi20170525 import models
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.models import Config
        from alibabacloud_tea_util.models import RuntimeOptions
    except ImportError as error:
        raise SmsNotSent("alibabacloud-dysmsapi20170525 is not installed") from error
    config = Config(access_key_id=_setting("ALIYUN_ACCESS_KEY_ID"),
                    access_key_secret=_setting("ALIYUN_ACCESS_KEY_SECRET"),
                    endpoint=current_app.config.get("ALIYUN_SMS_ENDPOINT") or "dysmsapi.aliyuncs.com")
    request = models.SendSmsRequest(phone_numbers=phone, sign_name=_setting("SMS_SIGN_NAME"),
                                    template_code=template_id(purpose, params),
                                    template_param=json.dumps({k: str(v) for k, v in params.items()},
                                                              ensure_ascii=False))
    runtime = RuntimeOptions(connect_timeout=_timeout() * 1000, read_timeout=_timeout() * 1000, autoretry=False)
    try:
        response = Client(config).send_sms_with_options(request, runtime)
    except Exception as error:
        raise SmsNotSent(f"aliyun: {type(error).__name__}: {error}") from error
    body = getattr(response, "body", None)
    if getattr(body, "code", None) != "OK":
        raise SmsNotSent(f"aliyun: {getattr(body, 'code', None)}: {getattr(body, 'message', None)}")


def send_tencent(*, phone: str, purpose: str, text: str, params: dict) -> None:
    """Send through Tencent Cloud SMS (API 2021-01-11 ``SendSms``); a status code other than ``Ok`` fails."""
    try:
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import models, sms_client
    except ImportError as error:
        raise SmsNotSent("tencentcloud-sdk-python-sms is not installed") from error
    cred = credential.Credential(_setting("TENCENT_SECRET_ID"), _setting("TENCENT_SECRET_KEY"))
    profile = ClientProfile(httpProfile=HttpProfile(reqTimeout=_timeout()))
    request = models.SendSmsRequest()
    request.PhoneNumberSet = [f"+86{phone}"]
    request.SmsSdkAppId = _setting("TENCENT_SMS_APP_ID")
    request.SignName = _setting("SMS_SIGN_NAME")
    request.TemplateId = template_id(purpose, params)
    request.TemplateParamSet = [str(value) for value in params.values()]
    try:
        client = sms_client.SmsClient(cred, current_app.config.get("TENCENT_SMS_REGION") or "ap-guangzhou", profile)
        response = client.SendSms(request)
    except Exception as error:
        raise SmsNotSent(f"tencent: {type(error).__name__}: {error}") from error
    statuses = getattr(response, "SendStatusSet", None) or []
    if not statuses or statuses[0].Code != "Ok":
        status = statuses[0] if statuses else None
        raise SmsNotSent(f"tencent: {getattr(status, 'Code', None)}: {getattr(status, 'Message', None)}")


BACKENDS = {"console": send_console, "aliyun": send_aliyun, "tencent": send_tencent}


def send_code(*, phone: str, purpose: str, code: str) -> None:
    """Send ``code`` (6 digits) for ``purpose`` to ``phone`` (11 digits) with the configured backend.

    Raises :class:`SmsNotSent` (logged with the reason, never the code) when the provider fails.
    """
    send_text(phone=phone, purpose=purpose, text=f"Your Nuanxin code is {code}, valid for 5 minutes",
              params={"code": code})


def send_text(*, phone: str, purpose: str, text: str, params: dict) -> None:
    """Send a message to ``phone`` (11 digits) with the configured backend: the console logs ``text``;
    Aliyun and Tencent send the template of ``purpose`` (``SMS_TEMPLATE_ID_<PURPOSE>``) filled with
    ``params`` (values as strings; Tencent takes them in their order).

    Raises :class:`SmsNotSent` (logged with the masked phone and the reason, never the text) when the
    provider fails or is not configured.
    """
    name = current_app.config.get("SMS_BACKEND") or "console"
    backend = BACKENDS.get(name)
    try:
        if backend is None:
            raise SmsNotSent(f"unknown SMS_BACKEND {name!r}")
        backend(phone=phone, purpose=purpose, text=text, params=params)
    except SmsNotSent as error:
        log.error("SMS to %s (%s) not sent: %s", mask_phone(phone), purpose, error.details.get("reason"))
        raise


def shows_code_on_page() -> bool:
    """True when pages may show the code itself: the ``console`` backend outside production."""
    config = current_app.config
    return (config.get("SMS_BACKEND") or "console") == "console" and config["ENV_NAME"] != "production"
