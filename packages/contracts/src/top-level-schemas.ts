import type { z } from 'zod';
import { AdaptationDocument, StateSnapshotDocument } from './adaptation.js';
import { DetectorsReferenceDocument, KnnStateDocument, TransformDocument } from './bundle-documents.js';
import { DetectorSnapshot } from './detector-snapshot.js';
import { ConfigVersion, ConfigVersionList, ConfigVersionRequest } from './config-version.js';
import { DeviceConfig } from './device-config.js';
import { RolloutAction, RolloutAuditList, RolloutList, RolloutRequest, RolloutView } from './rollout.js';
import { DeviceSettings, DeviceSettingsRule, DeviceSettingsView, GroupSettingsResult } from './device-settings.js';
import { FeedbackAckV2, FeedbackPageV2 } from './feedback-v2.js';
import {
  AdaptationDetail,
  AdaptationList,
  AdaptationReviewRequest,
  AdaptationReviewResult,
  FeedbackDeliveryList,
  FleetLearningPolicy,
} from './learning-api.js';
import {
  ApiTokenRequest,
  ApiTokenResponse,
  TokenRevocation,
  DeviceCredentialRevocation,
  DeviceListPage,
  DeviceUpdate,
  EnrolmentTokenRequest,
  EnrolmentTokenResponse,
} from './devices-api.js';
import { BulkValidationRequest, ReanalysisRequest, ReanalysisResult } from './drift-api.js';
import { DriftRateSeries } from './overview-api.js';
import { LiveEvent, LiveNotification } from './live-events.js';
import { AliasRequest, AssignmentRequest, DeploymentStatusList, ModelVersionList } from './registry-api.js';
import { DriftEventsDocument, FeedbackAck, FeedbackPage, ValidationRequest } from './drift.js';
import { EnrolmentRequest, EnrolmentResponse } from './enrolment.js';
import { ErrorEnvelope } from './error-envelope.js';
import { FieldDatasetManifest, FieldSampleRecord } from './field-dataset.js';
import { FieldMetricsResult, MlflowImportList, MlflowImportRequest, MlflowStatus } from './mlflow-api.js';
import { HeartbeatRequest, HeartbeatResponse } from './heartbeat.js';
import { LocalPrediction } from './local-output.js';
import { BundleBuildSettings } from './bundle-build.js';
import { BundleManifest, InstallReport, ModelAssignment } from './model-bundle.js';
import { PackageManifest, PackageReceipt } from './package-manifest.js';
import {
  AssignmentRuleList,
  ReviewClassList,
  ReviewQueuePage,
  TargetMatch,
  ValidationUndoResult,
} from './review-api.js';
import { LogsDocument, MetricsDocument, PredictionsDocument } from './telemetry.js';

/**
 * Every top-level document, by name. The JSON Schema export, the docs check and the contract
 * tests iterate over this map, so a new document is registered here once.
 */
export const TOP_LEVEL_SCHEMAS = {
  EnrolmentRequest,
  EnrolmentResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  PackageManifest,
  PackageReceipt,
  DriftEventsDocument,
  MetricsDocument,
  LogsDocument,
  PredictionsDocument,
  AdaptationDocument,
  StateSnapshotDocument,
  FeedbackPage,
  FeedbackAck,
  ValidationRequest,
  BundleManifest,
  TransformDocument,
  KnnStateDocument,
  DetectorsReferenceDocument,
  ModelAssignment,
  InstallReport,
  DetectorSnapshot,
  DeviceConfig,
  LocalPrediction,
  ErrorEnvelope,
  DeviceListPage,
  DeviceUpdate,
  EnrolmentTokenRequest,
  EnrolmentTokenResponse,
  ApiTokenRequest,
  ApiTokenResponse,
  TokenRevocation,
  DeviceCredentialRevocation,
  ModelVersionList,
  AliasRequest,
  AssignmentRequest,
  DeploymentStatusList,
  BulkValidationRequest,
  DriftRateSeries,
  ReanalysisRequest,
  ReanalysisResult,
  FeedbackPageV2,
  FeedbackAckV2,
  DeviceSettings,
  DeviceSettingsRule,
  DeviceSettingsView,
  GroupSettingsResult,
  FleetLearningPolicy,
  AdaptationList,
  AdaptationDetail,
  AdaptationReviewRequest,
  AdaptationReviewResult,
  FeedbackDeliveryList,
  FieldDatasetManifest,
  FieldSampleRecord,
  MlflowImportList,
  MlflowImportRequest,
  MlflowStatus,
  FieldMetricsResult,
  BundleBuildSettings,
  ConfigVersionRequest,
  ConfigVersion,
  ConfigVersionList,
  RolloutRequest,
  RolloutAction,
  RolloutView,
  RolloutList,
  RolloutAuditList,
  ReviewQueuePage,
  ReviewClassList,
  ValidationUndoResult,
  LiveEvent,
  LiveNotification,
  AssignmentRuleList,
  TargetMatch,
} as const satisfies Record<string, z.ZodType>;

export type TopLevelSchemaName = keyof typeof TOP_LEVEL_SCHEMAS;
