"""The SMS backends: the console writes to the log; Aliyun and Tencent are called through their SDKs
(mocked here) with the phone, signature, template and the code; any failure becomes SmsNotSent."""

import json
import logging
from types import SimpleNamespace
from typing import ClassVar

import pytest

from accounts import sms

ALIYUN = {"SMS_BACKEND": "aliyun", "SMS_SIGN_NAME": "暖新", "SMS_TEMPLATE_ID": "SMS_100001",
          "SMS_TEMPLATE_ID_RESET_PASSWORD": "SMS_100002", "ALIYUN_ACCESS_KEY_ID": "key-id",
          "ALIYUN_ACCESS_KEY_SECRET": "key-secret"}
TENCENT = {"SMS_BACKEND": "tencent", "SMS_SIGN_NAME": "暖新", "SMS_TEMPLATE_ID": "1400001",
           "TENCENT_SECRET_ID": "secret-id", "TENCENT_SECRET_KEY": "secret-key", "TENCENT_SMS_APP_ID": "1400123456"}


@pytest.fixture
def configured(app):
    def configure(settings):
        app.config.update(settings)
        return app.test_request_context(headers={"Accept-Language": "en"})

    return configure


class FakeAliyun:
    sent: ClassVar[list] = []
    answer = SimpleNamespace(body=SimpleNamespace(code="OK", message="OK"))
    error: Exception | None = None

    def __init__(self, config):
        self.config = config

    def send_sms_with_options(self, request, runtime):
        FakeAliyun.sent.append((self.config, request, runtime))
        if FakeAliyun.error:
            raise FakeAliyun.error
        return FakeAliyun.answer


@pytest.fixture
def aliyun(monkeypatch):
    import alibabacloud_dysmsapi20170525.client as client

    FakeAliyun.sent, FakeAliyun.error = [], None
    FakeAliyun.answer = SimpleNamespace(body=SimpleNamespace(code="OK", message="OK"))
    monkeypatch.setattr(client, "Client", FakeAliyun)
    return FakeAliyun


def test_aliyun_gets_the_number_signature_template_and_code(configured, aliyun):
    with configured(ALIYUN):
        sms.send_code(phone="13912345678", purpose="register", code="042917")
        sms.send_code(phone="13912345678", purpose="reset_password", code="123456")
    (config, request, runtime), (_, reset, _) = aliyun.sent
    assert (config.access_key_id, config.access_key_secret) == ("key-id", "key-secret")
    assert (request.phone_numbers, request.sign_name, request.template_code) == ("13912345678", "暖新", "SMS_100001")
    assert json.loads(request.template_param) == {"code": "042917"}
    assert reset.template_code == "SMS_100002"  # the per-purpose template wins
    assert runtime.read_timeout == 5000


@pytest.mark.parametrize("failure", ["refused", "raises"])
def test_an_aliyun_failure_is_sms_not_sent(configured, aliyun, failure, caplog):
    if failure == "refused":
        aliyun.answer = SimpleNamespace(body=SimpleNamespace(code="isv.BUSINESS_LIMIT_CONTROL", message="limit"))
    else:
        aliyun.error = ConnectionError("timed out")
    with configured(ALIYUN), caplog.at_level(logging.ERROR), pytest.raises(sms.SmsNotSent) as refused:
        sms.send_code(phone="13912345678", purpose="register", code="042917")
    assert "try again in a few minutes" in refused.value.message
    assert "042917" not in caplog.text and "139****5678" in caplog.text


class FakeTencent:
    sent: ClassVar[list] = []
    answer = None
    error: Exception | None = None

    def __init__(self, cred, region, profile):
        self.cred, self.region, self.profile = cred, region, profile

    def SendSms(self, request):
        FakeTencent.sent.append((self, request))
        if FakeTencent.error:
            raise FakeTencent.error
        return FakeTencent.answer


@pytest.fixture
def tencent(monkeypatch):
    from tencentcloud.sms.v20210111 import sms_client

    FakeTencent.sent, FakeTencent.error = [], None
    FakeTencent.answer = SimpleNamespace(SendStatusSet=[SimpleNamespace(Code="Ok", Message="send success")])
    monkeypatch.setattr(sms_client, "SmsClient", FakeTencent)
    return FakeTencent


def test_tencent_gets_the_number_app_signature_template_and_code(configured, tencent):
    with configured(TENCENT):
        sms.send_code(phone="13912345678", purpose="change_phone", code="042917")
    client, request = tencent.sent[0]
    assert (client.cred.secretId, client.cred.secretKey, client.region) == ("secret-id", "secret-key", "ap-guangzhou")
    assert request.PhoneNumberSet == ["+8613912345678"]
    assert (request.SmsSdkAppId, request.SignName, request.TemplateId) == ("1400123456", "暖新", "1400001")
    assert request.TemplateParamSet == ["042917"]


@pytest.mark.parametrize("failure", ["refused", "raises", "empty"])
def test_a_tencent_failure_is_sms_not_sent(configured, tencent, failure):
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

    if failure == "refused":
        tencent.answer = SimpleNamespace(SendStatusSet=[SimpleNamespace(Code="LimitExceeded.PhoneNumberDailyLimit",
                                                                        Message="daily limit")])
    elif failure == "raises":
        tencent.error = TencentCloudSDKException("AuthFailure.SecretIdNotFound", "no such id")
    else:
        tencent.answer = SimpleNamespace(SendStatusSet=[])
    with configured(TENCENT), pytest.raises(sms.SmsNotSent):
        sms.send_code(phone="13912345678", purpose="register", code="042917")


def test_a_missing_setting_is_sms_not_sent_not_a_crash(configured, tencent):
    with configured({**TENCENT, "TENCENT_SMS_APP_ID": ""}), pytest.raises(sms.SmsNotSent) as refused:
        sms.send_code(phone="13912345678", purpose="register", code="042917")
    assert refused.value.details["reason"] == "TENCENT_SMS_APP_ID is not set" and tencent.sent == []


def test_an_unknown_backend_is_sms_not_sent(configured):
    with configured({"SMS_BACKEND": "pigeon"}), pytest.raises(sms.SmsNotSent):
        sms.send_code(phone="13912345678", purpose="register", code="042917")


def test_the_console_writes_the_message_to_the_log(configured, caplog):
    with configured({"SMS_BACKEND": "console"}), caplog.at_level(logging.INFO):
        sms.send_code(phone="13912345678", purpose="register", code="042917")
        assert sms.shows_code_on_page()
    assert "042917" in caplog.text and "139****5678" in caplog.text


@pytest.mark.parametrize(("settings", "shown"), [
    ({"SMS_BACKEND": "console", "ENV_NAME": "development"}, True),
    ({"SMS_BACKEND": "console", "ENV_NAME": "production"}, False),
    ({**ALIYUN, "ENV_NAME": "development"}, False),
])
def test_the_code_is_shown_on_the_page_only_with_the_console_outside_production(configured, settings, shown):
    with configured(settings):
        assert sms.shows_code_on_page() is shown


# --- notification texts (send_text) ------------------------------------------------------------

NOTICE = {"title": "路口劝导", "starts_at": "12月9日 周三 09:30", "hold_until": "12月9日 周三 07:30"}


def test_aliyun_sends_a_notification_with_its_kinds_template_and_named_params(configured, aliyun):
    with configured({**ALIYUN, "SMS_TEMPLATE_ID_PLACE_OFFERED": "SMS_200001"}):
        sms.send_text(phone="13912345678", purpose="place_offered", text="……", params=NOTICE)
    (_, request, _), = aliyun.sent
    assert request.template_code == "SMS_200001" and json.loads(request.template_param) == NOTICE


def test_tencent_sends_the_params_in_their_order_as_strings(configured, tencent):
    with configured({**TENCENT, "SMS_TEMPLATE_ID_VOUCHER_EXPIRED": "1400009"}):
        sms.send_text(phone="13912345678", purpose="voucher_expired", text="……", params={"offer": "盒饭", "points": 30})
    _, request = tencent.sent[0]
    assert (request.TemplateId, request.TemplateParamSet) == ("1400009", ["盒饭", "30"])


def test_a_notification_without_its_own_template_is_not_sent_with_the_code_template(configured, aliyun):
    with configured(ALIYUN), pytest.raises(sms.SmsNotSent) as refused:
        sms.send_text(phone="13912345678", purpose="place_offered", text="……", params=NOTICE)
    assert refused.value.details["reason"] == "SMS_TEMPLATE_ID_PLACE_OFFERED is not set" and aliyun.sent == []


def test_the_console_logs_the_text_with_the_phone_masked(configured, caplog):
    with configured({"SMS_BACKEND": "console"}), caplog.at_level(logging.INFO):
        sms.send_text(phone="13912345678", purpose="task_reminder", text="路口劝导将于明天开始", params={})
    assert "路口劝导将于明天开始" in caplog.text and "139****5678" in caplog.text and "13912345678" not in caplog.text
